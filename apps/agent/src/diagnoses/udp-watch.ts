import type { Flow } from '@ctscope/conntrack';
import { flowKey } from '../mirror/flow-key';

/** What the watch remembers of one entry between reads. */
interface Track {
  origPackets: bigint;
  replyPackets: bigint;
  /** When the watch first read it. */
  firstAt: number;
  /** When it was last read. */
  readAt: number;
  /** When its reply counter last rose (firstAt until it does). */
  replyAt: number;
  /** Its reply counter rose while watched. */
  answered: boolean;
  /** When its original-direction counter started rising without answers (null while answered). */
  silentSince: number | null;
  /** When its original-direction counter last rose (0: not while watched). */
  origAt: number;
}

/** One entry read afresh, with what its counters did since it was last read. */
export interface Watched {
  flow: Flow;
  /** Original-direction packets since the previous read (0 on the first). */
  origDelta: number;
  /** Seconds between the two reads. */
  seconds: number;
  unreplied: boolean;
  /** It got replies within the silence limit while watched: its DNAT target is alive. */
  live: boolean;
  /** It sent lately: within the silence limit, or three reads if those are further apart. */
  sending: boolean;
  /** Sending, and not answered for at least the silence limit (it had answers before). */
  silent: boolean;
  /** When the current run of unanswered sending started (agent clock, ms). */
  silentSince: number | null;
}

/** Entries watched at most (the oldest untouched ones go first). */
const MAX_TRACKED = 8_192;

/**
 * Packet counters of UDP entries across reads: which keep sending without answers. Entries are not
 * necessarily read every pass (the detector spreads its reads over destinations), so each keeps its
 * own read time; one not read for a while is forgotten. Entries without counters
 * (nf_conntrack_acct off when they were made) are skipped.
 */
export class UdpWatch {
  private readonly tracks = new Map<string, Track>();

  constructor(private readonly silenceMs: number) {}

  /**
   * Reads one entry at `now`. `fresh`: its destination was read within the silence limit, so an entry
   * new to the watch that is answered already got that answer since (a DNS-like exchange on a fresh
   * source port); otherwise nothing tells how old an answer is.
   */
  observe(flow: Flow, now: number, fresh: boolean): Watched | null {
    const orig = flow.countersOrig?.packets;
    const reply = flow.countersReply?.packets;
    if (orig === undefined || reply === undefined) return null;
    const key = flowKey(flow);
    const unreplied = !flow.status.includes('SEEN_REPLY');
    const t = this.tracks.get(key);
    if (!t) {
      const answered = !unreplied && reply > 0n && fresh;
      this.tracks.set(key, { origPackets: orig, replyPackets: reply, firstAt: now, readAt: now, replyAt: now, answered, silentSince: null, origAt: 0 });
      if (this.tracks.size > MAX_TRACKED) this.tracks.delete(this.tracks.keys().next().value as string);
      return { flow, origDelta: 0, seconds: 0, unreplied, live: answered, sending: false, silent: false, silentSince: null };
    }
    const seconds = (now - t.readAt) / 1000;
    // A client sending less often than the reads come must not come and go with every read.
    const recent = Math.max(this.silenceMs, 3_000 * seconds);
    const origDelta = Number(orig - t.origPackets);
    if (reply > t.replyPackets) {
      t.replyAt = now;
      t.answered = true;
      t.silentSince = null;
    } else if (origDelta > 0) t.silentSince ??= t.answered ? t.replyAt : t.firstAt;
    if (origDelta > 0) t.origAt = now;
    t.origPackets = orig;
    t.replyPackets = reply;
    t.readAt = now;
    const live = t.answered && now - t.replyAt < this.silenceMs;
    const sending = t.origAt > 0 && now - t.origAt < recent;
    const silent = !unreplied && sending && t.silentSince !== null && now - t.replyAt >= this.silenceMs;
    return { flow, origDelta, seconds, unreplied, live, sending, silent, silentSince: t.silentSince };
  }

  /** Forgets entries not read for `maxAgeMs` (gone, or their destination is no longer read). */
  forget(now: number, maxAgeMs: number): void {
    for (const [key, t] of this.tracks) if (now - t.readAt > maxAgeMs) this.tracks.delete(key);
  }
}
