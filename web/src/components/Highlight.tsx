/**
 * A search highlight, rendered without innerHTML: the API escapes the content and marks
 * matches with <mark>; here the string is split on those marks and every other character is
 * shown as text (entities decoded), so nothing in it can ever become markup.
 */
const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
const decode = (text: string) => text.replace(/&(?:amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity]!);

export function highlightParts(html: string): { text: string; marked: boolean }[] {
  const parts: { text: string; marked: boolean }[] = [];
  let marked = false;
  for (const piece of html.split(/(<\/?mark>)/)) {
    if (piece === '<mark>') marked = true;
    else if (piece === '</mark>') marked = false;
    else if (piece) parts.push({ text: decode(piece), marked });
  }
  return parts;
}

export function Highlight({ html }: { html: string }) {
  return (
    <p className="snippet">
      {highlightParts(html).map((part, i) => (part.marked ? <mark key={i}>{part.text}</mark> : part.text))}
    </p>
  );
}
