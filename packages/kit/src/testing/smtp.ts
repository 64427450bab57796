import type { AddressInfo } from 'node:net';
import type { ParsedMail } from 'mailparser';
import type { SMTPServer } from 'smtp-server';

/** One message an SmtpReceiver took, parsed, with its envelope. */
export interface ReceivedMail {
  envelopeTo: string[];
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  headers: Map<string, unknown>;
  messageId?: string;
  raw: string;
}

/**
 * A real SMTP server for tests (npm `smtp-server`, messages parsed by `mailparser`) on a
 * loopback port: it keeps what it receives, can refuse chosen recipients permanently (550),
 * and can be stopped and started again on the same port, as an outage.
 */
export class SmtpReceiver {
  readonly messages: ReceivedMail[] = [];
  /** Recipients answered `550 5.1.1 mailbox unavailable`. */
  readonly refuse = new Set<string>();
  /** The address of every RCPT TO command seen, refused ones included. */
  readonly rcptTo: string[] = [];
  private server?: SMTPServer;
  private boundPort = 0;

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.boundPort}`;
  }

  /** Starts listening (on `port`, or the port it had before, or a free one). */
  async start(port = this.boundPort): Promise<void> {
    const { SMTPServer } = await import('smtp-server');
    const { simpleParser } = await import('mailparser');
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      closeTimeout: 200,
      onRcptTo: (address, _session, callback) => {
        this.rcptTo.push(address.address.toLowerCase());
        if (this.refuse.has(address.address.toLowerCase())) {
          const error = Object.assign(new Error('5.1.1 mailbox unavailable'), { responseCode: 550 });
          callback(error);
          return;
        }
        callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          simpleParser(raw).then(
            (mail: ParsedMail) => {
              this.messages.push({
                envelopeTo: session.envelope.rcptTo.map((r) => r.address),
                from: mail.from?.text ?? '',
                to: Array.isArray(mail.to) ? mail.to.map((t) => t.text).join(', ') : (mail.to?.text ?? ''),
                subject: mail.subject ?? '',
                text: mail.text ?? '',
                html: typeof mail.html === 'string' ? mail.html : '',
                headers: mail.headers,
                messageId: mail.messageId,
                raw: raw.toString('utf8'),
              });
              callback();
            },
            (error: Error) => callback(error),
          );
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    server.on('error', () => undefined);
    this.server = server;
    this.boundPort = (server.server.address() as AddressInfo).port;
  }

  /** Stops listening and drops open connections: clients get "connection refused" until start(). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Messages whose envelope names `address`. */
  to(address: string): ReceivedMail[] {
    return this.messages.filter((m) => m.envelopeTo.includes(address.toLowerCase()));
  }
}
