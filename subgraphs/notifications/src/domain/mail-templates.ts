import type { NotificationKind } from './kinds';

/**
 * The e-mails Agora sends, as HTML and plain text in the product's look (the web app's
 * colours: brand #24305e, accent #2a55c9, paper on #f4f5f8). Pure functions: every user
 * text is escaped; links are absolute.
 */
export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export interface MailItem {
  kind: NotificationKind;
  summary: string;
  excerpt?: string | null;
  url: string;
}

const COLORS = {
  ink: '#1b2230',
  muted: '#556072',
  line: '#dde1e8',
  back: '#f4f5f8',
  brand: '#24305e',
  accent: '#2a55c9',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const KIND_NOUN: Record<NotificationKind, [string, string]> = {
  REPLY: ['reply', 'replies'],
  NEW_FOLLOWER: ['new follower', 'new followers'],
  PICTURE_PROCESSED: ['picture update', 'picture updates'],
  WELCOME: ['welcome', 'welcomes'],
};

const ACTION: Record<NotificationKind, string> = {
  REPLY: 'View the reply',
  NEW_FOLLOWER: 'See their profile',
  PICTURE_PROCESSED: 'See the picture',
  WELCOME: 'Open Agora',
};

/** The e-mails "about" a kind, for the unsubscribe line. */
const KIND_EMAILS: Record<NotificationKind, string> = {
  REPLY: 'replies',
  NEW_FOLLOWER: 'new followers',
  PICTURE_PROCESSED: 'picture updates',
  WELCOME: 'welcome messages',
};

const plural = (n: number, [one, many]: [string, string]) => `${n} ${n === 1 ? one : many}`;

function layout(title: string, bodyHtml: string, footerHtml: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escapeHtml(title)}</title></head>
<body style="margin:0;padding:0;background:${COLORS.back};font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:${COLORS.ink};line-height:1.5">
<table role="presentation" width="100%" cellspacing="0" cellpadding="0" style="background:${COLORS.back};padding:24px 0"><tr><td align="center">
<table role="presentation" width="560" cellspacing="0" cellpadding="0" style="max-width:560px;width:100%">
<tr><td style="background:${COLORS.brand};color:#fff;padding:14px 24px;border-radius:10px 10px 0 0;font-size:20px;font-weight:700;letter-spacing:.02em">Agora</td></tr>
<tr><td style="background:#fff;padding:24px;border:1px solid ${COLORS.line};border-top:0;border-radius:0 0 10px 10px">
${bodyHtml}
</td></tr>
<tr><td style="padding:16px 8px;color:${COLORS.muted};font-size:13px">${footerHtml}</td></tr>
</table></td></tr></table></body></html>
`;
}

const button = (url: string, label: string) =>
  `<a href="${escapeHtml(url)}" style="display:inline-block;background:${COLORS.accent};color:#fff;text-decoration:none;padding:8px 16px;border-radius:8px;font-weight:600">${escapeHtml(label)}</a>`;

function itemHtml(item: MailItem): string {
  const quote = item.excerpt
    ? `<blockquote style="margin:8px 0;padding:8px 12px;border-left:3px solid ${COLORS.line};color:${COLORS.ink};white-space:pre-wrap">${escapeHtml(item.excerpt)}</blockquote>`
    : '';
  return `<div style="padding:12px 0;border-bottom:1px solid ${COLORS.line}">
<p style="margin:0 0 4px;font-weight:600">${escapeHtml(item.summary)}</p>${quote}
<p style="margin:8px 0 0">${button(item.url, ACTION[item.kind])}</p></div>`;
}

function itemText(item: MailItem): string {
  const quote = item.excerpt ? `\n  > ${item.excerpt.replace(/\n/g, '\n  > ')}` : '';
  return `* ${item.summary}${quote}\n  ${ACTION[item.kind]}: ${item.url}`;
}

/**
 * One e-mail for a batch: the notifications of one kind, or of several (the daily digest).
 * `unsubscribe` holds a signed link per kind present, which works without signing in.
 */
export function renderNotificationMail(input: {
  recipientName: string;
  items: MailItem[];
  digest: boolean;
  unsubscribe: Partial<Record<NotificationKind, string>>;
  settingsUrl: string;
}): RenderedMail {
  const { items } = input;
  const kinds = [...new Set(items.map((i) => i.kind))];
  const subject = input.digest
    ? `Your Agora digest: ${plural(items.length, ['notification', 'notifications'])}`
    : items.length === 1
      ? items[0]!.summary
      : `${plural(items.length, KIND_NOUN[kinds[0]!])} on Agora`;
  const greeting = `Hi ${input.recipientName},`;
  const intro = input.digest
    ? 'Here is what happened on Agora since your last digest:'
    : items.length === 1
      ? 'Something new on Agora:'
      : `You have ${plural(items.length, KIND_NOUN[kinds[0]!])} on Agora:`;
  const unsubscribeLines = kinds
    .filter((kind) => input.unsubscribe[kind])
    .map((kind) => ({ kind, url: input.unsubscribe[kind]! }));

  const text = [
    greeting,
    '',
    intro,
    '',
    ...items.map(itemText),
    '',
    '--',
    ...unsubscribeLines.map(({ kind, url }) => `Stop e-mails about ${KIND_EMAILS[kind]}: ${url}`),
    `Notification settings: ${input.settingsUrl}`,
    '',
  ].join('\n');

  const body = `<p style="margin:0 0 8px">${escapeHtml(greeting)}</p>
<p style="margin:0 0 8px">${escapeHtml(intro)}</p>
${items.map(itemHtml).join('\n')}`;
  const footer = [
    ...unsubscribeLines.map(
      ({ kind, url }) =>
        `<a href="${escapeHtml(url)}" style="color:${COLORS.muted}">Stop e-mails about ${escapeHtml(KIND_EMAILS[kind])}</a>`,
    ),
    `<a href="${escapeHtml(input.settingsUrl)}" style="color:${COLORS.muted}">Notification settings</a>`,
  ].join(' · ');
  return { subject, text, html: layout(subject, body, footer) };
}

/** The verification e-mail: the one e-mail an unverified address gets. */
export function renderVerificationMail(input: { recipientName: string; url: string; expiresAt: Date }): RenderedMail {
  const subject = 'Confirm your e-mail address for Agora';
  const expires = input.expiresAt.toUTCString();
  const text = [
    `Hi ${input.recipientName},`,
    '',
    'Please confirm that this is your e-mail address by opening this link:',
    '',
    input.url,
    '',
    `The link works once, until ${expires}. Until you confirm, Agora sends you no other e-mail.`,
    'If you did not create an Agora account, ignore this e-mail: nothing happens without the link.',
    '',
  ].join('\n');
  const body = `<p style="margin:0 0 8px">${escapeHtml(`Hi ${input.recipientName},`)}</p>
<p style="margin:0 0 16px">Please confirm that this is your e-mail address:</p>
<p style="margin:0 0 16px">${button(input.url, 'Confirm my address')}</p>
<p style="margin:0 0 8px;color:${COLORS.muted};font-size:14px">Or open this link: <a href="${escapeHtml(input.url)}" style="color:${COLORS.accent}">${escapeHtml(input.url)}</a></p>
<p style="margin:0;color:${COLORS.muted};font-size:14px">The link works once, until ${escapeHtml(expires)}. Until you confirm, Agora sends you no other e-mail.</p>`;
  const footer = 'If you did not create an Agora account, ignore this e-mail: nothing happens without the link.';
  return { subject, text, html: layout(subject, body, footer) };
}
