/**
 * Who the client is, behind a proxy. `AIRCOVER_TRUST_PROXY` (off by default) says which peers
 * may tell us: a hop count (`1`: the one TLS proxy in front, `2`: a CDN and a load balancer) or
 * a comma-separated list of addresses and CIDR ranges of our proxies (`10.0.0.0/8,::1`). When
 * the peer is trusted, the client address comes from X-Forwarded-For (the right-most entry that
 * is not one of our proxies) and the protocol from X-Forwarded-Proto, so lockouts, rate limits
 * and `Secure` cookies work per real client. Untrusted peers' headers are ignored: anyone can
 * send X-Forwarded-For.
 */
import { BlockList, isIP } from 'node:net';

export type TrustProxy =
  | { kind: 'off' }
  | { kind: 'hops'; hops: number }
  | { kind: 'cidrs'; list: BlockList };

export class TrustProxyError extends Error {
  override name = 'TrustProxyError';
}

const bare = (address: string): string => {
  const a = address.trim().replace(/^\[(.*)\](?::\d+)?$/, '$1');
  // An IPv4 client on a dual-stack socket is reported as ::ffff:a.b.c.d.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
  if (mapped?.[1]) return mapped[1];
  // IPv4 with a port (some proxies append it).
  const withPort = /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(a);
  return withPort?.[1] ?? a;
};

export function parseTrustProxy(value: string | undefined): TrustProxy {
  const v = (value ?? '').trim();
  if (v === '' || /^(off|false|no|0)$/i.test(v)) return { kind: 'off' };
  if (/^\d+$/.test(v)) return { kind: 'hops', hops: Math.min(Number(v), 10) };
  const list = new BlockList();
  for (const part of v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [address = '', prefix] = part.split('/');
    const family = isIP(address);
    if (!family) throw new TrustProxyError(`AIRCOVER_TRUST_PROXY: not an address or CIDR range: ${part}`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(address, type);
    else {
      const bits = Number(prefix);
      if (!/^\d+$/.test(prefix) || bits > (family === 4 ? 32 : 128))
        throw new TrustProxyError(`AIRCOVER_TRUST_PROXY: not a CIDR range: ${part}`);
      list.addSubnet(address, bits, type);
    }
  }
  return { kind: 'cidrs', list };
}

let fromEnv: { raw: string | undefined; trust: TrustProxy } | undefined;

/** The process's setting, parsed once (and again only if the variable changes). */
export function trustProxy(env: NodeJS.ProcessEnv = process.env): TrustProxy {
  if (!fromEnv || fromEnv.raw !== env.AIRCOVER_TRUST_PROXY)
    fromEnv = { raw: env.AIRCOVER_TRUST_PROXY, trust: parseTrustProxy(env.AIRCOVER_TRUST_PROXY) };
  return fromEnv.trust;
}

const trusted = (trust: TrustProxy, address: string): boolean => {
  if (trust.kind !== 'cidrs') return false;
  const family = isIP(address);
  return family !== 0 && trust.list.check(address, family === 4 ? 'ipv4' : 'ipv6');
};

export interface Client {
  /** The client's address as best known (the peer's when no proxy is trusted). */
  ip: string | null;
  /** True when the client reached us over https (directly, or through a trusted proxy). */
  https: boolean;
}

const list = (header: string | null | undefined): string[] =>
  (header ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export function clientOf(
  input: {
    peer: string | null | undefined;
    forwardedFor: string | null | undefined;
    forwardedProto: string | null | undefined;
    /** The protocol of our own socket (`https:` when the server itself terminates TLS). */
    protocol?: string;
  },
  trust: TrustProxy = trustProxy(),
): Client {
  const peer = input.peer ? bare(input.peer) : null;
  const direct: Client = { ip: peer, https: input.protocol === 'https:' };
  if (trust.kind === 'off' || !peer) return direct;
  const chain = [...list(input.forwardedFor).map(bare), peer];
  let index = chain.length - 1;
  if (trust.kind === 'hops') index = Math.max(0, chain.length - 1 - trust.hops);
  else {
    if (!trusted(trust, peer)) return direct;
    while (index > 0 && trusted(trust, chain[index] as string)) index -= 1;
  }
  if (index === chain.length - 1) return direct; // no proxy hop was claimed
  const ip = chain[index] ?? peer;
  // The proxy nearest the client set the first value; ours pass it on (or overwrite it).
  const proto = list(input.forwardedProto)[0]?.toLowerCase();
  return { ip: isIP(ip) ? ip : peer, https: proto ? proto === 'https' : direct.https };
}
