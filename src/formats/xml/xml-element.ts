/** One attribute as written, its value with entities already decoded. */
export interface XmlAttribute {
  readonly name: string;
  readonly value: string;
  /** 1-based line of the attribute name. */
  readonly line: number;
}

/** One element of the tree built by `parseXml`; comments and processing instructions are dropped. */
export interface XmlElement {
  readonly name: string;
  readonly attributes: readonly XmlAttribute[];
  readonly children: readonly XmlElement[];
  /** 1-based line and column of the `<` that opens the element. */
  readonly line: number;
  readonly column: number;
  /** Character data and CDATA directly inside the element, present only when it is not all whitespace. */
  readonly text?: string;
}

/** The value of the attribute `name` (exact, case-sensitive as XML is), or undefined. */
export function attributeValue(element: XmlElement, name: string): string | undefined {
  for (const attribute of element.attributes) if (attribute.name === name) return attribute.value;
  return undefined;
}
