/**
 * Verdicts: did a human do this? Every event is labelled `human`, `bot` or `suspect` with a
 * reason; nothing is dropped for being a bot, it is kept out of engagement instead.
 *
 * Signals, strongest first:
 * - the user agent: `isbot` (a maintained list of crawlers, previewers, monitors), plus the
 *   headless and mail-security agents it does not name;
 * - timing: mail security scanners fetch every link within seconds of delivery;
 * - bursts: many different links from one recipient within a few seconds;
 * - the network: a few documented mail-security ranges (extend with AIRCOVER_SCANNER_CIDRS);
 * - a beacon without an Origin header (browsers always send one on POST).
 */
import { isbot } from 'isbot';
import type { Verdict } from '../store/types.ts';

export interface VerdictResult {
  verdict: Verdict;
  reason: string;
}

/** A hit this close to the message's delivery is what a scanner does, not a reader. */
export const DELIVERY_SCAN_WINDOW_MS = 15_000;
/** ... or this close to the send (the delivered webhook may arrive after the scanner). */
export const SEND_SCAN_WINDOW_MS = 30_000;
/** This many different links within BURST_WINDOW_MS from one recipient is a scanner. */
export const BURST_LINKS = 4;
export const BURST_WINDOW_MS = 5_000;

/** Agents isbot does not know (or that pose as browsers but say who they are). */
const extraAgents =
  /headless|phantomjs|electron\/|puppeteer|playwright|selenium|webdriver|python-requests|python-urllib|go-http-client|curl\/|wget\/|okhttp|java\/|libwww|httpclient|node-fetch|undici|axios|barracuda|mimecast|proofpoint|safelinks|forcepoint|trendmicro|symantec|messagelabs|sophos|fireeye|ironport|zscaler|googleimageproxy|yahoomailproxy|ggpht\.com/i;

/** Mail image proxies: an open through them is the proxy, not the reader. */
const imageProxyAgents = /googleimageproxy|ggpht\.com|yahoomailproxy|outlook.*proxy|apple.*mail.*privacy/i;

/**
 * Mail-security and mail-proxy networks (IPv4). Illustrative, not exhaustive: published ranges
 * of the large scanners' link-checking and proxy fleets. Add yours with AIRCOVER_SCANNER_CIDRS
 * (comma separated).
 */
export const SCANNER_NETWORKS: readonly { cidr: string; name: string }[] = [
  { cidr: '40.92.0.0/15', name: 'Microsoft Exchange Online Protection' },
  { cidr: '40.107.0.0/16', name: 'Microsoft Exchange Online Protection' },
  { cidr: '52.100.0.0/14', name: 'Microsoft Exchange Online Protection' },
  { cidr: '104.47.0.0/17', name: 'Microsoft Exchange Online Protection' },
  { cidr: '148.163.128.0/19', name: 'Proofpoint' },
  { cidr: '67.231.144.0/20', name: 'Proofpoint' },
  { cidr: '205.139.110.0/24', name: 'Mimecast' },
  { cidr: '207.211.30.0/24', name: 'Mimecast' },
  { cidr: '64.235.144.0/20', name: 'Barracuda' },
  { cidr: '209.222.80.0/21', name: 'Barracuda' },
  { cidr: '66.249.80.0/20', name: 'Google image proxy' },
];

function ipv4ToInt(ip: string): number | null {
  const m = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/i.exec(ip);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return null;
  return (((parts[0] ?? 0) << 24) | ((parts[1] ?? 0) << 16) | ((parts[2] ?? 0) << 8) | (parts[3] ?? 0)) >>> 0;
}

interface Range {
  base: number;
  mask: number;
  name: string;
}

function parseRanges(list: readonly { cidr: string; name: string }[]): Range[] {
  const ranges: Range[] = [];
  for (const { cidr, name } of list) {
    const [ip, bitsText] = cidr.split('/');
    const base = ipv4ToInt(ip ?? '');
    const bits = Number(bitsText ?? 32);
    if (base === null || !Number.isInteger(bits) || bits < 0 || bits > 32) continue;
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    ranges.push({ base: (base & mask) >>> 0, mask, name });
  }
  return ranges;
}

let ranges: Range[] | undefined;
function scannerRanges(): Range[] {
  if (!ranges) {
    const extra = (process.env.AIRCOVER_SCANNER_CIDRS ?? '')
      .split(',')
      .map((cidr) => cidr.trim())
      .filter(Boolean)
      .map((cidr) => ({ cidr, name: 'configured scanner network' }));
    ranges = parseRanges([...SCANNER_NETWORKS, ...extra]);
  }
  return ranges;
}

/** The mail-security network an address belongs to, if any. */
export function scannerNetwork(ip: string | null | undefined): string | null {
  if (!ip) return null;
  const n = ipv4ToInt(ip);
  if (n === null) return null;
  for (const range of scannerRanges()) if ((n & range.mask) >>> 0 === range.base) return range.name;
  return null;
}

const agentCache = new Map<string, string | null>();

/** Why a user agent is not a person's browser, or null when it looks like one. */
export function botAgentReason(userAgent: string | null | undefined): string | null {
  if (!userAgent?.trim()) return 'no user agent';
  const cached = agentCache.get(userAgent);
  if (cached !== undefined) return cached;
  let reason: string | null = null;
  if (extraAgents.test(userAgent)) reason = `automation or scanner agent (${userAgent.slice(0, 60)})`;
  else if (isbot(userAgent)) reason = `bot user agent (${userAgent.slice(0, 60)})`;
  if (agentCache.size > 5000) agentCache.clear();
  agentCache.set(userAgent, reason);
  return reason;
}

export function isImageProxyAgent(userAgent: string | null | undefined): boolean {
  return Boolean(userAgent && imageProxyAgents.test(userAgent));
}

export interface HitContext {
  userAgent: string | null;
  ip: string | null;
  /** When the hit reached us. */
  at: Date;
  /** When the message this hit came from was delivered / sent, when known. */
  deliveredAt?: Date | null;
  sentAt?: Date | null;
  /** Distinct links this recipient hit within BURST_WINDOW_MS, this one included. */
  burst?: number;
  /** Whether the request carried an Origin header (beacons from browsers always do). */
  hasOrigin?: boolean;
}

/**
 * The verdict for one hit (a beacon, a click, a page fetch). `bot` for what cannot be a person
 * (agent, burst), `suspect` for what probably is not (timing, network, no Origin), else `human`.
 */
export function judgeHit(hit: HitContext): VerdictResult {
  const agent = botAgentReason(hit.userAgent);
  if (agent) return { verdict: 'bot', reason: agent };
  if (hit.burst !== undefined && hit.burst >= BURST_LINKS)
    return { verdict: 'bot', reason: `${hit.burst} links within ${BURST_WINDOW_MS / 1000} s` };
  const t = hit.at.getTime();
  if (hit.deliveredAt) {
    const since = t - hit.deliveredAt.getTime();
    if (since >= -5_000 && since < DELIVERY_SCAN_WINDOW_MS)
      return { verdict: 'suspect', reason: `within ${Math.max(0, Math.round(since / 1000))} s of delivery` };
  }
  if (hit.sentAt) {
    const since = t - hit.sentAt.getTime();
    if (since >= -5_000 && since < SEND_SCAN_WINDOW_MS)
      return { verdict: 'suspect', reason: `within ${Math.max(0, Math.round(since / 1000))} s of sending` };
  }
  const network = scannerNetwork(hit.ip);
  if (network) return { verdict: 'suspect', reason: `mail-security network (${network})` };
  if (hit.hasOrigin === false) return { verdict: 'suspect', reason: 'no Origin header' };
  return { verdict: 'human', reason: 'browser' };
}

/**
 * Sliding-window counter of distinct links per recipient (campaign/partner), in memory and
 * bounded: the "many links in a few seconds" signal.
 */
export class BurstTracker {
  readonly #hits = new Map<string, { link: string; at: number }[]>();
  readonly #windowMs: number;
  readonly #maxKeys: number;

  constructor(windowMs = BURST_WINDOW_MS, maxKeys = 50_000) {
    this.#windowMs = windowMs;
    this.#maxKeys = maxKeys;
  }

  /** Records a hit on `link` and returns how many distinct links the key hit within the window. */
  hit(key: string, link: string, at = Date.now()): number {
    const since = at - this.#windowMs;
    const list = (this.#hits.get(key) ?? []).filter((h) => h.at >= since);
    list.push({ link, at });
    if (list.length > 64) list.splice(0, list.length - 64);
    if (!this.#hits.has(key) && this.#hits.size >= this.#maxKeys) {
      const oldest = this.#hits.keys().next().value;
      if (oldest !== undefined) this.#hits.delete(oldest);
    }
    this.#hits.set(key, list);
    return new Set(list.map((h) => h.link)).size;
  }
}
