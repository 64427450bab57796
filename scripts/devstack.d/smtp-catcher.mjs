#!/usr/bin/env node
/**
 * devstack's SMTP receiver: accepts every message on 127.0.0.1 (no TLS, no auth), keeps it
 * as an .eml file, and shows what it received over HTTP. Built on the npm packages
 * `smtp-server` and `mailparser` (from the repository's node_modules).
 *
 *   GET    /                    the received messages as a page (newest first)
 *   GET    /messages            the same as JSON: [{ id, from, to, subject, date, size }]
 *   GET    /messages/<id>       one message as JSON, with its text, html and headers
 *   GET    /messages/<id>.eml   one message as received
 *   DELETE /messages            forgets every message
 *   GET    /healthz             200
 *
 * Env: SMTP_CATCHER_SMTP_PORT (51025), SMTP_CATCHER_HTTP_PORT (51080), SMTP_CATCHER_DIR (where
 * the .eml files go; required), SMTP_CATCHER_KEEP (1000: older messages are deleted).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

const SMTP_PORT = Number(process.env.SMTP_CATCHER_SMTP_PORT ?? 51025);
const HTTP_PORT = Number(process.env.SMTP_CATCHER_HTTP_PORT ?? 51080);
const DIR = process.env.SMTP_CATCHER_DIR;
const KEEP = Number(process.env.SMTP_CATCHER_KEEP ?? 1000);
if (!DIR) {
  console.error('smtp-catcher: set SMTP_CATCHER_DIR');
  process.exit(2);
}
mkdirSync(DIR, { recursive: true });

let sequence = 0;
const ID = /^[0-9]{13}-[0-9]{6}$/;
const list = () =>
  readdirSync(DIR)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .reverse();
const summaryOf = (id) => JSON.parse(readFileSync(join(DIR, `${id}.json`), 'utf8'));

function prune() {
  for (const name of list().slice(KEEP)) {
    const id = name.slice(0, -'.json'.length);
    rmSync(join(DIR, `${id}.json`), { force: true });
    rmSync(join(DIR, `${id}.eml`), { force: true });
  }
}

async function keep(raw, envelope) {
  const id = `${Date.now()}-${String(sequence++ % 1e6).padStart(6, '0')}`;
  const mail = await simpleParser(raw);
  writeFileSync(join(DIR, `${id}.eml`), raw);
  const summary = {
    id,
    from: mail.from?.text ?? envelope.mailFrom?.address ?? '',
    to: envelope.rcptTo.map((r) => r.address),
    subject: mail.subject ?? '',
    date: (mail.date ?? new Date()).toISOString(),
    size: raw.length,
    text: mail.text ?? '',
    html: typeof mail.html === 'string' ? mail.html : '',
    headers: Object.fromEntries([...mail.headers].map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])),
  };
  writeFileSync(join(DIR, `${id}.json`), JSON.stringify(summary));
  prune();
}

const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  size: 10 * 1024 * 1024,
  onData(stream, session, callback) {
    const chunks = [];
    stream.on('data', (chunk) => chunks.push(chunk));
    stream.on('end', () => {
      keep(Buffer.concat(chunks), session.envelope).then(
        () => callback(),
        (error) => callback(error),
      );
    });
  },
});
smtp.on('error', (error) => console.error('smtp-catcher: smtp error', error.message));

const escape = (text) =>
  String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

const http = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://catcher');
  const json = (status, body) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  try {
    if (url.pathname === '/healthz') return res.writeHead(200).end('ok');
    if (url.pathname === '/messages' && req.method === 'DELETE') {
      for (const name of readdirSync(DIR)) rmSync(join(DIR, name), { force: true });
      return json(200, { deleted: true });
    }
    if (req.method !== 'GET') return json(405, { error: 'method not allowed' });
    if (url.pathname === '/messages') {
      return json(
        200,
        list().map((name) => {
          const { id, from, to, subject, date, size } = summaryOf(name.slice(0, -'.json'.length));
          return { id, from, to, subject, date, size };
        }),
      );
    }
    const one = /^\/messages\/([0-9-]+)(\.eml)?$/.exec(url.pathname);
    if (one && ID.test(one[1]) && statSync(join(DIR, `${one[1]}.json`), { throwIfNoEntry: false })) {
      if (one[2])
        return res.writeHead(200, { 'content-type': 'message/rfc822' }).end(readFileSync(join(DIR, `${one[1]}.eml`)));
      return json(200, summaryOf(one[1]));
    }
    if (url.pathname === '/') {
      const rows = list()
        .map((name) => summaryOf(name.slice(0, -'.json'.length)))
        .map(
          (m) =>
            `<tr><td>${escape(m.date)}</td><td>${escape(m.to.join(', '))}</td><td><a href="/messages/${m.id}">${escape(m.subject)}</a></td><td><a href="/messages/${m.id}.eml">.eml</a></td></tr>`,
        )
        .join('\n');
      return res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(
          `<!doctype html><meta charset="utf-8"><title>devstack mail</title><h1>Received mail</h1><table><tr><th>date</th><th>to</th><th>subject</th><th></th></tr>${rows}</table>`,
        );
    }
    return json(404, { error: 'not found' });
  } catch (error) {
    return json(500, { error: error.message });
  }
});

smtp.listen(SMTP_PORT, '127.0.0.1', () => {
  http.listen(HTTP_PORT, '127.0.0.1', () => {
    console.log(`smtp-catcher: SMTP on 127.0.0.1:${SMTP_PORT}, HTTP on 127.0.0.1:${HTTP_PORT}, mail in ${DIR}`);
  });
});

const stop = () => {
  http.close();
  smtp.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2_000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
