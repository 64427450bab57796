/**
 * devstack's SMTP receiver (scripts/devstack.d/smtp-catcher.mjs), run as devstack runs it, on
 * free ports of its own: what it receives over SMTP can be read back over HTTP.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTransport } from 'nodemailer';
import { freePort, waitFor } from '@agora/kit/testing';

const CATCHER = resolve(__dirname, '../devstack.d/smtp-catcher.mjs');

describe('devstack SMTP catcher', () => {
  const dir = mkdtempSync(join(tmpdir(), 'smtp-catcher-'));
  let catcher: ChildProcess;
  let api: string;
  let smtpUrl: string;

  beforeAll(async () => {
    const [smtpPort, httpPort] = [await freePort(), await freePort()];
    catcher = spawn(process.execPath, [CATCHER], {
      env: {
        PATH: process.env.PATH,
        SMTP_CATCHER_SMTP_PORT: String(smtpPort),
        SMTP_CATCHER_HTTP_PORT: String(httpPort),
        SMTP_CATCHER_DIR: dir,
        SMTP_CATCHER_KEEP: '3',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    api = `http://127.0.0.1:${httpPort}`;
    smtpUrl = `smtp://127.0.0.1:${smtpPort}`;
    await waitFor('the catcher', () =>
      fetch(`${api}/healthz`).then(
        (r) => r.ok,
        () => false,
      ),
    );
  });
  afterAll(async () => {
    catcher.kill('SIGTERM');
    await new Promise((done) => (catcher.exitCode !== null ? done(null) : catcher.once('exit', done)));
  });

  const send = (subject: string) =>
    createTransport(smtpUrl).sendMail({
      from: 'Agora <no-reply@agora.test>',
      to: 'ada@example.test',
      subject,
      text: `Plain ${subject}`,
      html: `<p>HTML ${subject}</p>`,
    });
  const list = async () =>
    (await (await fetch(`${api}/messages`)).json()) as { id: string; subject: string; to: string[]; from: string }[];

  it('keeps each message and serves it as JSON, as .eml, and in a page', async () => {
    await send('First');
    const [first] = await list();
    expect(first).toMatchObject({ subject: 'First', to: ['ada@example.test'], from: '"Agora" <no-reply@agora.test>' });
    const one = (await (await fetch(`${api}/messages/${first!.id}`)).json()) as { text: string; html: string };
    expect(one.text).toBe('Plain First');
    expect(one.html).toContain('<p>HTML First</p>');
    const raw = await fetch(`${api}/messages/${first!.id}.eml`);
    expect(raw.headers.get('content-type')).toBe('message/rfc822');
    expect(await raw.text()).toMatch(/^Subject: First$/m);
    expect(await (await fetch(`${api}/`)).text()).toContain('>First</a>');
    expect((await fetch(`${api}/messages/nope`)).status).toBe(404);
  });

  it('keeps only the newest messages, and forgets them all on DELETE', async () => {
    for (const subject of ['Second', 'Third', 'Fourth']) await send(subject);
    expect((await list()).map((m) => m.subject)).toEqual(['Fourth', 'Third', 'Second']);
    expect(readdirSync(dir).filter((n) => n.endsWith('.eml'))).toHaveLength(3);
    expect((await fetch(`${api}/messages`, { method: 'DELETE' })).status).toBe(200);
    expect(await list()).toEqual([]);
  });
});
