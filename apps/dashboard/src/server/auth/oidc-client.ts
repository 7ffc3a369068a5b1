import * as client from 'openid-client';
import type { Logger } from 'pino';
import type { OidcConfig } from '../config';

/** How long after a failed discovery the next login tries the provider again. */
const RETRY_AFTER_MS = 15_000;

/**
 * The provider's metadata, read by OpenID discovery at start. When the provider cannot be reached the
 * dashboard starts anyway: SSO shows as unavailable, and a later login attempt (at most every 15 s)
 * tries again.
 */
export class OidcProvider {
  private configuration: client.Configuration | undefined;
  private pending: Promise<client.Configuration | undefined> | undefined;
  private lastFailure = 0;

  constructor(
    readonly settings: OidcConfig,
    private readonly logger: Logger,
  ) {}

  get available(): boolean {
    return this.configuration !== undefined;
  }

  /** The client configuration, discovering it first when needed; undefined while the provider is unreachable. */
  async get(now = Date.now()): Promise<client.Configuration | undefined> {
    if (this.configuration) return this.configuration;
    if (!this.pending && now - this.lastFailure < RETRY_AFTER_MS) return undefined;
    this.pending ??= this.discover().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async discover(): Promise<client.Configuration | undefined> {
    const { issuer, clientId, clientSecret } = this.settings;
    try {
      this.configuration = await client.discovery(issuer, clientId, { client_secret: clientSecret }, client.ClientSecretBasic(clientSecret), {
        timeout: 5,
        // config.ts allows plain http:// only for an issuer on loopback.
        ...(issuer.protocol === 'http:' && { execute: [client.allowInsecureRequests] }),
      });
      this.logger.info({ issuer: issuer.href }, 'single sign-on: provider discovered');
      return this.configuration;
    } catch (err) {
      this.lastFailure = Date.now();
      this.logger.error(
        { issuer: issuer.href, err: err instanceof Error ? err.message : String(err) },
        `single sign-on unavailable: cannot read ${new URL('.well-known/openid-configuration', issuer.href.endsWith('/') ? issuer : `${issuer.href}/`).href}; check CTSCOPE_OIDC_ISSUER and that the provider is up (retried at the next SSO login)`,
      );
      return undefined;
    }
  }
}
