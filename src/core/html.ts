/**
 * HTML escaping for the pages the station prints or writes (packet print, share sheet, launch file):
 * one rule for text and attribute values alike. All five characters that can end text or a quoted
 * attribute are replaced, so a value can never open a tag, close an attribute or start an entity.
 */
const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** The inverse of escapeHtml, for reading back a value the station itself wrote. */
export function unescapeHtml(value: string): string {
  return value.replace(/&(amp|lt|gt|quot|#39);/g, (entity) => {
    const found = Object.entries(ESCAPES).find(([, e]) => e === entity);
    return found ? found[0] : entity;
  });
}
