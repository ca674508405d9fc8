import assert from 'node:assert/strict';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { test } from 'node:test';
import { collectPorts, decodeAddress, parseSocketTable } from './ports.ts';

test('own TCP listener and bound UDP socket are found with this pid', async () => {
  const server: Server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const udp: UdpSocket = createSocket('udp4');
  udp.bind(0, '127.0.0.1');
  await once(udp, 'listening');
  // A connected UDP socket is not listening.
  const connected: UdpSocket = createSocket('udp4');
  connected.connect(udp.address().port, '127.0.0.1');
  await once(connected, 'connect');
  try {
    const ports = await collectPorts('/proc');
    const tcpPort = (server.address() as AddressInfo).port;
    const tcp = ports.find((p) => p.protocol === 'tcp' && p.port === tcpPort);
    assert.deepEqual(tcp && { ...tcp, processName: '' }, {
      protocol: 'tcp',
      bindIp: '127.0.0.1',
      port: tcpPort,
      pid: process.pid,
      processName: '',
    });
    assert.ok(['node', 'MainThread'].includes(tcp?.processName ?? ''), tcp?.processName);
    const bound = ports.find((p) => p.protocol === 'udp' && p.port === udp.address().port);
    assert.equal(bound?.bindIp, '127.0.0.1');
    assert.equal(bound?.pid, process.pid);
    assert.equal(
      ports.some((p) => p.protocol === 'udp' && p.port === connected.address().port),
      false,
    );
  } finally {
    server.close();
    udp.close();
    connected.close();
  }
});

test('addresses decode from the kernel’s host-order words', () => {
  assert.equal(decodeAddress('0100007F', true), '127.0.0.1');
  assert.equal(decodeAddress('00000000', true), '0.0.0.0');
  assert.equal(decodeAddress('7F000001', false), '127.0.0.1');
  assert.equal(decodeAddress('00000000000000000000000001000000', true), '::1');
  assert.equal(decodeAddress('00000000000000000000000000000000', true), '::');
  assert.equal(decodeAddress('0000000000000000FFFF00000100007F', true), '::ffff:127.0.0.1');
  assert.equal(decodeAddress('B80D0120000000000000000001000000', true), '2001:db8::1');
  assert.equal(decodeAddress('000080FE00000000FF221102554433FE', true), 'fe80::211:22ff:fe33:4455');
});

test('only listening TCP and unconnected UDP entries are kept', () => {
  const tcp = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1087 1 0000000062c2c4bd 100 0 0 10 0
   1: 0100007F:8AE2 0100007F:0016 01 00000000:00000000 00:00000000 00000000  1000        0 2222 1 0000000000000000 20 4 30 10 -1
`;
  assert.deepEqual(parseSocketTable(tcp, 'tcp'), [{ bindIp: '0.0.0.0', port: 22, inode: 1087 }]);
  const udp6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  10: 00000000000000000000000000000000:0222 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000   108        0 3333 2 0000000000000000 0
  11: 00000000000000000000000001000000:A001 00000000000000000000000001000000:0035 01 00000000:00000000 00:00000000 00000000     0        0 4444 2 0000000000000000 0
`;
  assert.deepEqual(parseSocketTable(udp6, 'udp6'), [{ bindIp: '::', port: 546, inode: 3333 }]);
  assert.deepEqual(parseSocketTable('', 'tcp6'), []);
});
