import { io, type Socket } from 'socket.io-client';
import {
  AGENT_NAMESPACE,
  ErrorCode,
  PROTOCOL_VERSION,
  agentWelcomeSchema,
  type AgentHandshake,
  type AgentInfo,
  type AgentToServerEvents,
  type Composition,
  type DiagnosisReport,
  type ServerToAgentEvents,
  type EventBatch,
  type StatsSample,
  type WindowResult,
} from '@ctscope/protocol';
import type { Logger } from 'pino';
import { z } from 'zod';
import { tlsFailureAdvice } from './transport-security';

export type AgentSocket = Socket<ServerToAgentEvents, AgentToServerEvents>;

export interface DashboardLinkOptions {
  url: string;
  token: string;
  info: AgentInfo;
  logger: Logger;
  /** Verifies an https:// dashboard against this CA alone (PEM, from --ca-file) instead of the system's CAs. */
  ca?: { pem: string; file: string };
  /** The dashboard refused us for a reason retrying cannot fix (bad token, other protocol version). */
  onFatal(message: string): void;
}

const refusalSchema = z.object({ code: z.string(), message: z.string() });
const FATAL_CODES: ReadonlySet<string> = new Set([ErrorCode.Unauthenticated, ErrorCode.VersionMismatch]);
const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 30_000;

/** The agent's outbound connection to the dashboard, reconnecting with backoff and jitter. */
export class DashboardLink {
  readonly socket: AgentSocket;
  private retryTimer: NodeJS.Timeout | undefined;
  private refusals = 0;
  /** The last diagnoses report, sent again on every (re)connect: the dashboard keeps only what it was told. */
  private diagnoses: DiagnosisReport | null = null;

  constructor(private readonly options: DashboardLinkOptions) {
    const handshake: AgentHandshake = { protocolVersion: PROTOCOL_VERSION, token: options.token, info: options.info };
    this.socket = io(new URL(AGENT_NAMESPACE, options.url).href, {
      auth: handshake,
      transports: ['websocket'],
      reconnectionDelay: RETRY_MIN_MS,
      reconnectionDelayMax: RETRY_MAX_MS,
      randomizationFactor: 0.5,
      // The certificate is always verified; a private CA replaces the default ones rather than adding to them.
      rejectUnauthorized: true,
      ...(options.ca && { ca: options.ca.pem }),
    });
    this.attachHandlers();
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  /** Sends a sample if connected; samples taken while the dashboard is away are dropped, never queued. */
  sendSample(sample: StatsSample): boolean {
    if (!this.socket.connected) return false;
    this.socket.emit('stats:sampled', sample);
    return true;
  }

  /** Sends a composition summary if connected; like samples, never queued while the dashboard is away. */
  sendComposition(composition: Composition): void {
    if (this.socket.connected) this.socket.emit('composition:summarised', composition);
  }

  /** Sends the agent's diagnoses if connected, and keeps them to send again when the link (re)connects. */
  sendDiagnoses(report: DiagnosisReport): void {
    this.diagnoses = report;
    if (this.socket.connected) this.socket.emit('diagnoses:reported', report);
  }

  /** Pushes a window's new content; dropped while disconnected (the dashboard re-opens windows on reconnect). */
  pushWindow(subId: string, result: WindowResult): void {
    if (this.socket.connected) this.socket.emit('window:pushed', { subId, result });
  }

  pushEvents(subId: string, batch: EventBatch): void {
    if (this.socket.connected) this.socket.emit('events:batched', { subId, batch });
  }

  close(): void {
    clearTimeout(this.retryTimer);
    this.socket.close();
  }

  private attachHandlers(): void {
    const { logger } = this.options;
    this.socket.on('connect', () => {
      this.refusals = 0;
      logger.info({ dashboard: this.options.url }, 'connected to the dashboard');
      if (this.diagnoses) this.socket.emit('diagnoses:reported', this.diagnoses);
    });
    this.socket.on('welcomed', (payload) => {
      const welcome = agentWelcomeSchema.safeParse(payload);
      if (welcome.success) logger.info({ hostId: welcome.data.hostId }, 'dashboard accepted this agent');
    });
    this.socket.on('agent:ping', (_payload, ack) => {
      if (typeof ack === 'function') ack({ ok: true, data: { at: Date.now() } });
    });
    this.socket.on('disconnect', (reason) => {
      logger.warn({ reason }, 'disconnected from the dashboard; reconnecting');
    });
    this.socket.on('connect_error', (err) => {
      if (this.socket.active) {
        const advice = tlsFailureAdvice(err, this.options.url, this.options.ca?.file);
        if (advice) logger.error({ dashboard: this.options.url }, `cannot trust the dashboard: ${advice}; retrying with backoff`);
        else logger.warn({ err: err.message }, 'dashboard unreachable; retrying with backoff');
        return;
      }
      // Refused by the dashboard's handshake check: Socket.IO does not retry these by itself.
      const refusal = refusalSchema.safeParse((err as Error & { data?: unknown }).data);
      const code = refusal.success ? refusal.data.code : ErrorCode.Internal;
      const message = refusal.success ? refusal.data.message : err.message;
      if (FATAL_CODES.has(code)) {
        this.options.onFatal(`the dashboard refused this agent: ${message}`);
        return;
      }
      this.scheduleRetry(message);
    });
  }

  private scheduleRetry(reason: string): void {
    this.refusals += 1;
    const base = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** Math.min(this.refusals, 5));
    const delay = base / 2 + Math.random() * (base / 2);
    this.options.logger.warn({ reason, retryInMs: Math.round(delay) }, 'dashboard refused the connection; retrying');
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.socket.connect(), delay);
  }
}
