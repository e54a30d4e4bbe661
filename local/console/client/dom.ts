/** A small helper to build elements: `h('p', { class: 'muted' }, 'text', child)`. */
export type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  element.append(
    ...children
      .filter((c): c is Node | string | number => c !== null && c !== undefined && c !== false)
      .map((c) => (typeof c === 'number' ? String(c) : c)),
  );
  return element;
}

/** Replace an element's children. */
export const fill = (element: Element, ...children: Child[]): void => {
  element.replaceChildren();
  element.append(
    ...children
      .filter((c): c is Node | string | number => c !== null && c !== undefined && c !== false)
      .map((c) => (typeof c === 'number' ? String(c) : c)),
  );
};

/** `1,234` */
export const count = (n: number): string => n.toLocaleString('en-US');

/** Units as DynamoDB reports them: `0.5`, `14`. */
export const units = (n: number): string => String(Math.round(n * 1000) / 1000);
