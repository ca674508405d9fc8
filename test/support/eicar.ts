/**
 * The EICAR anti-virus test file, built at run time from two halves so that
 * the repository never holds it whole (antivirus on a developer machine or in
 * CI would quarantine it), and trees holding copies of it for scan tests.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { makeZipWriter } from '../../src/formats/zip-writer.ts';

export const EICAR_MD5 = '44d88612fea8a8f36de82e1278abb02f';
export const EICAR_SHA256 = '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f';
/** The line ClamAV (and the built-in engine) needs to know it: `MD5:size:Name`. */
export const EICAR_HDB_LINE = `${EICAR_MD5}:68:Eicar-Test-Signature`;

/** The 68 bytes of the EICAR test string. */
export function eicarBytes(): Buffer {
  return Buffer.from('X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR' + '-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*', 'ascii');
}

/** Writes a zip archive holding one entry. */
export async function writeZip(path: string, entryName: string, data: Buffer): Promise<void> {
  const zip = makeZipWriter({ output: createWriteStream(path) });
  await zip.addBuffer(entryName, data);
  await zip.finish();
}

export interface EicarTree {
  /** A plain copy of EICAR. */
  plain: string;
  /** A zip holding EICAR: only ClamAV finds it. */
  zipped: string;
  /** Harmless files beside them. */
  clean: string[];
}

/** Writes `dir/eicar.com`, `dir/archive/eicar.zip` and a few clean files. */
export async function writeEicarTree(dir: string): Promise<EicarTree> {
  const tree: EicarTree = {
    plain: join(dir, 'eicar.com'),
    zipped: join(dir, 'archive', 'eicar.zip'),
    clean: [join(dir, 'readme.txt'), join(dir, 'sub', 'data.bin'), join(dir, 'sub', 'near-miss.txt')],
  };
  for (const path of [tree.plain, tree.zipped, ...tree.clean])
    await mkdir(dirname(path), { recursive: true });
  await writeFile(tree.plain, eicarBytes());
  await writeZip(tree.zipped, 'eicar.com', eicarBytes());
  const [readme = '', data = '', nearMiss = ''] = tree.clean;
  await writeFile(readme, 'nothing to see here\n');
  await writeFile(data, Buffer.alloc(4096, 7));
  // The same size as EICAR but different bytes: passes the size pre-filter, fails the hash.
  await writeFile(nearMiss, Buffer.alloc(68, 'x'));
  return tree;
}
