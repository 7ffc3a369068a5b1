import type { Flow } from '@ctscope/conntrack';
import { flowKey } from '../mirror/flow-key';

/** What the watch remembers of one entry between passes. */
interface Track {
  origPackets: bigint;
  replyPackets: bigint;
  /** When the watch first read it. */
  firstAt: number;
  /** When its reply counter last rose (firstAt until it does). */
  replyAt: number;
  /** Its reply counter rose while watched. */
  answered: boolean;
  /** When its original-direction counter started rising without answers (null while answered). */
  silentSince: number | null;
  /** When its original-direction counter last rose (0: not while watched). */
  origAt: number;
  seenPass: number;
}

/** One entry read afresh this pass, with what its counters did since the last one. */
export interface Watched {
  flow: Flow;
  /** Original-direction packets since the previous pass (0 on the first). */
  origDelta: number;
  /** Seconds between the two reads. */
  seconds: number;
  unreplied: boolean;
  /** It got replies within the silence limit while watched: its DNAT target is alive. */
  live: boolean;
  /** It sent lately: within the silence limit, or three passes if those are further apart. */
  sending: boolean;
  /** Sending, and not answered for at least the silence limit (it had answers before). */
  silent: boolean;
  /** When the current run of unanswered sending started (agent clock, ms). */
  silentSince: number | null;
}

/** Entries watched at most (the oldest untouched ones go first). */
const MAX_TRACKED = 8_192;

/**
 * Packet counters of UDP entries across passes: which keep sending without answers. Entries without
 * counters (nf_conntrack_acct off when they were made) are skipped by the caller.
 */
export class UdpWatch {
  private readonly tracks = new Map<string, Track>();
  private pass = 0;
  private lastAt = 0;

  constructor(private readonly silenceMs: number) {}

  /** Starts a pass at `now`; `observe` each fresh entry, then `end`. */
  begin(now: number): { observe(flow: Flow): Watched | null; end(): void } {
    const pass = ++this.pass;
    const seconds = this.lastAt > 0 ? (now - this.lastAt) / 1000 : 0;
    this.lastAt = now;
    // A client sending less often than the passes run must not come and go with every pass.
    const recent = Math.max(this.silenceMs, 3_000 * seconds);
    return {
      observe: (flow) => {
        const orig = flow.countersOrig?.packets;
        const reply = flow.countersReply?.packets;
        if (orig === undefined || reply === undefined) return null;
        const key = flowKey(flow);
        const unreplied = !flow.status.includes('SEEN_REPLY');
        let t = this.tracks.get(key);
        if (!t) {
          // Answered already, and new since the last pass: its answer came within that pass (a DNS-like
          // exchange on a fresh source port). On the first pass nothing tells how old an answer is.
          const answered = !unreplied && reply > 0n && pass > 1;
          t = { origPackets: orig, replyPackets: reply, firstAt: now, replyAt: now, answered, silentSince: null, origAt: 0, seenPass: pass };
          this.tracks.set(key, t);
          return { flow, origDelta: 0, seconds, unreplied, live: answered, sending: false, silent: false, silentSince: null };
        }
        const origDelta = Number(orig - t.origPackets);
        if (reply > t.replyPackets) {
          t.replyAt = now;
          t.answered = true;
          t.silentSince = null;
        } else if (origDelta > 0) t.silentSince ??= t.answered ? t.replyAt : t.firstAt;
        if (origDelta > 0) t.origAt = now;
        t.origPackets = orig;
        t.replyPackets = reply;
        t.seenPass = pass;
        const live = t.answered && now - t.replyAt < this.silenceMs;
        const sending = t.origAt > 0 && now - t.origAt < recent;
        const silent = !unreplied && sending && t.silentSince !== null && now - t.replyAt >= this.silenceMs;
        return { flow, origDelta, seconds, unreplied, live, sending, silent, silentSince: t.silentSince };
      },
      end: () => {
        // Entries not read this pass are gone or out of the candidates: forget them.
        for (const [key, t] of this.tracks) if (t.seenPass !== pass) this.tracks.delete(key);
        while (this.tracks.size > MAX_TRACKED) this.tracks.delete(this.tracks.keys().next().value as string);
      },
    };
  }
}
