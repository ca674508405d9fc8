import { generateDemoData } from '../services/demo-data.ts';
import { resolveTenant } from '../services/identity.ts';
import type { AppContext } from '../services/context.ts';

export interface DemoDataFlags {
  hosts?: string | undefined;
  vulns?: string | undefined;
  images?: string | undefined;
  seed?: string | undefined;
  tenant?: string | undefined;
}

function count(name: string, value: string | undefined, fallback: number): number {
  const number = Number(value ?? fallback);
  if (!Number.isInteger(number) || number < 0) {
    throw new Error(`--${name} must be a whole number, not "${value}"`);
  }
  return number;
}

/** Loads a synthetic fleet into a tenant while the server may be running. */
export async function runDemoData(app: AppContext, flags: DemoDataFlags): Promise<Record<string, unknown>> {
  const tenant = await resolveTenant(app, flags.tenant);
  const started = Date.now();
  const summary = await generateDemoData(app.db, {
    tenantId: tenant.id,
    hosts: count('hosts', flags.hosts, 10),
    vulns: count('vulns', flags.vulns, 100),
    images: count('images', flags.images, 0),
    seed: count('seed', flags.seed, 1),
  });
  return { TenantId: tenant.id, ...summary, Seconds: (Date.now() - started) / 1000 };
}
