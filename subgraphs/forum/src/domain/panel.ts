import { badInput } from '@agora/kit/errors';

export const PANEL_NAME_MIN = 3;
export const PANEL_NAME_MAX = 80;
export const PANEL_DESCRIPTION_MAX = 2000;

export interface NewPanel {
  name: string;
  slug: string;
  description: string;
}

/** Validates a panel's input and derives its slug. Throws BAD_USER_INPUT; no I/O. */
export function newPanel(input: { name: string; description?: string | null }): NewPanel {
  const name = input.name.trim().replace(/\s+/g, ' ');
  if (name.length < PANEL_NAME_MIN || name.length > PANEL_NAME_MAX) {
    throw badInput(`Panel name must be ${PANEL_NAME_MIN} to ${PANEL_NAME_MAX} characters`, 'name');
  }
  const description = (input.description ?? '').trim();
  if (description.length > PANEL_DESCRIPTION_MAX) {
    throw badInput(`Panel description must be at most ${PANEL_DESCRIPTION_MAX} characters`, 'description');
  }
  const slug = slugify(name);
  if (slug.length === 0) throw badInput('Panel name must contain letters or digits', 'name');
  return { name, slug, description };
}

/** Lower-case ASCII words joined by dashes; accents are folded ("Café Crème" → "cafe-creme"). */
export function slugify(text: string): string {
  return text
    .replace(/ß/g, 'ss')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, PANEL_NAME_MAX);
}
