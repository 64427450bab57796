import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Ports for a process a test starts later, on a fixed address. They are chosen below Linux's
 * ephemeral range: a port found free there (listen(0)) can be handed to some outgoing
 * connection as its source port before the process binds it, and the process then fails with
 * EADDRINUSE (seen in CI: start:distributed's auth on 40302).
 */
function ephemeralStart(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    return Number(low) || 32_768;
  } catch {
    return 32_768;
  }
}

const LOWEST = 10_000;

export const portFree = (port: number) =>
  new Promise<boolean>((done) => {
    const server = createServer()
      .once('error', () => done(false))
      .listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });

/** A base port such that base + every offset is free on loopback, all below the ephemeral range. */
export async function freePortBase(offsets: readonly number[] = [0]): Promise<number> {
  const highest = ephemeralStart() - Math.max(...offsets) - 1;
  if (highest <= LOWEST) throw new Error(`no room for offsets up to ${Math.max(...offsets)} below the ephemeral range`);
  for (let attempt = 0; attempt < 1000; attempt++) {
    const base = LOWEST + Math.floor(Math.random() * (highest - LOWEST));
    const free = await Promise.all(offsets.map((offset) => portFree(base + offset)));
    if (free.every(Boolean)) return base;
  }
  throw new Error('no free ports found below the ephemeral range');
}

/** One free loopback port below the ephemeral range. */
export const freePort = () => freePortBase([0]);
