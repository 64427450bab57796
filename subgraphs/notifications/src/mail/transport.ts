import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTransport, type Transporter } from 'nodemailer';

/** One e-mail as the worker hands it to a transport. */
export interface MailMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Stable per batch (`<batch id@agora>`), so a receiver can tell a repeat. */
  messageId: string;
  headers: Record<string, string>;
}

export interface MailTransport {
  /** Where mail goes, for the start-up line (no secrets). */
  readonly description: string;
  /** Resolves with the server's answer once it took the message; throws a MailDeliveryError. */
  send(message: MailMessage): Promise<string>;
  close(): void;
}

/** A refused or failed delivery: `permanent` for a 5xx answer (the address or message is refused). */
export class MailDeliveryError extends Error {
  override name = 'MailDeliveryError';
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly responseCode?: number,
  ) {
    super(message);
  }
}

interface NodemailerError {
  message?: string;
  code?: string;
  responseCode?: number;
  response?: string;
}

function deliveryError(error: unknown): MailDeliveryError {
  const e = (error ?? {}) as NodemailerError;
  const code = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const permanent = code !== undefined && code >= 500 && code < 600;
  // The server's own words (e.g. "550 5.1.1 mailbox unavailable"), else the socket error's code.
  const text = e.response ?? `${e.code ?? 'ERROR'}: ${e.message ?? String(error)}`;
  return new MailDeliveryError(text.replace(/\s+/g, ' ').slice(0, 500), permanent, code);
}

const toNodemailer = (m: MailMessage) => ({
  from: m.from,
  to: m.to,
  subject: m.subject,
  text: m.text,
  html: m.html,
  messageId: m.messageId,
  headers: m.headers,
});

/** Sends through an SMTP server with nodemailer (one connection per message). */
export class SmtpTransport implements MailTransport {
  readonly description: string;
  private readonly transporter: Transporter;

  constructor(url: string, timeoutMs: number) {
    const parsed = new URL(url);
    this.description = `SMTP ${parsed.protocol}//${parsed.host}`;
    this.transporter = createTransport(url, {
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs * 3,
    } as never);
  }

  async send(message: MailMessage): Promise<string> {
    try {
      const info = (await this.transporter.sendMail(toNodemailer(message))) as { response?: string };
      return info.response ?? 'accepted';
    } catch (error) {
      throw deliveryError(error);
    }
  }

  close(): void {
    this.transporter.close();
  }
}

/** Embedded mode: each message written as an .eml file (RFC 5322, opens in any mail program). */
export class FileTransport implements MailTransport {
  readonly description: string;
  private readonly composer = createTransport({ streamTransport: true, buffer: true, newline: 'unix' });

  constructor(private readonly dir: string) {
    this.description = `.eml files in ${dir}`;
  }

  async send(message: MailMessage): Promise<string> {
    const info = (await this.composer.sendMail(toNodemailer(message))) as { message: Buffer };
    await mkdir(this.dir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const name = `${stamp}-${message.messageId.replace(/[^A-Za-z0-9-]/g, '').slice(0, 60)}.eml`;
    await writeFile(join(this.dir, name), info.message);
    return `written ${name}`;
  }

  close(): void {
    this.composer.close();
  }
}

/** No data folder (tests, in-memory stacks): messages rendered and kept here, the newest 1 000. */
export class MemoryTransport implements MailTransport {
  readonly description = 'memory (no data folder)';
  readonly messages: { raw: string; message: MailMessage }[] = [];
  private readonly composer = createTransport({ streamTransport: true, buffer: true, newline: 'unix' });

  async send(message: MailMessage): Promise<string> {
    const info = (await this.composer.sendMail(toNodemailer(message))) as { message: Buffer };
    this.messages.push({ raw: info.message.toString('utf8'), message });
    if (this.messages.length > 1_000) this.messages.shift();
    return 'kept in memory';
  }

  close(): void {
    this.composer.close();
  }
}

export function mailTransport(settings: { smtpUrl?: string; mailDir?: string; smtpTimeoutMs: number }): MailTransport {
  if (settings.smtpUrl) return new SmtpTransport(settings.smtpUrl, settings.smtpTimeoutMs);
  if (settings.mailDir) return new FileTransport(settings.mailDir);
  return new MemoryTransport();
}
