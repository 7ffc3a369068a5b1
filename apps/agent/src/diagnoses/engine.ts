import type { Diagnosis, DiagnosisReport } from '@ctscope/protocol';
import type { Logger } from 'pino';
import type { Detector } from './detector';

export const DIAGNOSIS_INTERVAL_MS = 5_000;
/** A report is sent at least this often, changed or not (the dashboard may have restarted and lost it). */
export const DIAGNOSIS_REFRESH_MS = 30_000;
/** Diagnoses kept per report (the protocol's bound). */
const MAX_ACTIVE = 50;
/** A detector still evaluating after this long is left out of the pass (and not called again until it ends). */
export const DETECTOR_TIMEOUT_MS = 20_000;

export interface DiagnosisEngineOptions {
  detectors: readonly Detector[];
  /** Delivers a report (to the dashboard link, which keeps the last one for the next connect). */
  send(report: DiagnosisReport): void;
  logger: Logger;
  intervalMs?: number;
  refreshMs?: number;
  detectorTimeoutMs?: number;
  now?: () => number;
}

/**
 * What makes two reports different enough to send at once: which diagnoses, their severity, what
 * they point at and the fixes they offer. Facts (rates, counts shown as text) change every pass: they
 * travel with the next report, at least every 30 s.
 */
export function reportFingerprint(active: readonly Diagnosis[]): string {
  return JSON.stringify(active.map((d) => [d.id, d.severity, d.title, d.evidence.query, d.fixes]));
}

/**
 * Runs every detector periodically, one pass at a time (a pass still running when the next is due
 * skips that tick), and reports the union of their diagnoses when it changes and at least every
 * `refreshMs`. A detector that throws reports nothing for that pass; the others still count.
 */
export class DiagnosisEngine {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private current: Diagnosis[] = [];
  private sentFingerprint: string | null = null;
  private sentAt = 0;
  private readonly failing = new Set<string>();
  /** Evaluations that outlived their pass: that detector is skipped until they end. */
  private readonly stuck = new Set<Detector>();
  private readonly now: () => number;

  constructor(private readonly options: DiagnosisEngineOptions) {
    this.now = options.now ?? Date.now;
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs ?? DIAGNOSIS_INTERVAL_MS);
    this.timer.unref();
    void this.tick();
  }

  /** The diagnoses of the last pass. */
  get active(): readonly Diagnosis[] {
    return this.current;
  }

  /** Runs one pass unless one is running (then waits for that one). */
  tick(): Promise<void> {
    this.running ??= this.pass().finally(() => (this.running = null));
    return this.running;
  }

  stop(): void {
    clearInterval(this.timer);
    for (const detector of this.options.detectors) detector.close?.();
  }

  private async pass(): Promise<void> {
    const now = this.now();
    const found: Diagnosis[] = [];
    for (const detector of this.options.detectors) {
      if (this.stuck.has(detector)) continue;
      try {
        found.push(...(await this.bounded(detector, now)));
        if (this.failing.delete(detector.name)) this.options.logger.info({ detector: detector.name }, 'diagnosis detector works again');
      } catch (err) {
        if (!this.failing.has(detector.name)) this.options.logger.error({ detector: detector.name, err: (err as Error).message }, 'diagnosis detector failed; skipping it this pass');
        this.failing.add(detector.name);
      }
    }
    const active = found.slice(0, MAX_ACTIVE);
    this.logChanges(active);
    this.current = active;
    const fingerprint = reportFingerprint(active);
    const refreshMs = this.options.refreshMs ?? DIAGNOSIS_REFRESH_MS;
    if (fingerprint === this.sentFingerprint && now - this.sentAt < refreshMs) return;
    this.sentFingerprint = fingerprint;
    this.sentAt = now;
    this.options.send({ at: now, active });
  }

  /** The detector's answer, or a rejection once it has taken longer than the timeout (it is skipped until it ends). */
  private bounded(detector: Detector, now: number): Promise<Diagnosis[]> {
    let evaluation: Promise<Diagnosis[]>;
    try {
      evaluation = Promise.resolve(detector.evaluate(now));
    } catch (err) {
      return Promise.reject(err as Error);
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.stuck.add(detector);
        void evaluation.catch(() => undefined).finally(() => this.stuck.delete(detector));
        reject(new Error(`no answer within ${this.options.detectorTimeoutMs ?? DETECTOR_TIMEOUT_MS} ms`));
      }, this.options.detectorTimeoutMs ?? DETECTOR_TIMEOUT_MS);
    });
    return Promise.race([evaluation, timeout]).finally(() => clearTimeout(timer));
  }

  private logChanges(active: readonly Diagnosis[]): void {
    const before = new Set(this.current.map((d) => d.id));
    const after = new Set(active.map((d) => d.id));
    for (const d of active) if (!before.has(d.id)) this.options.logger.warn({ diagnosis: d.name, id: d.id, severity: d.severity }, d.title);
    for (const d of this.current) if (!after.has(d.id)) this.options.logger.info({ diagnosis: d.name, id: d.id }, 'diagnosis cleared');
  }
}
