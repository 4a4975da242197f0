// A strict little XML parser for the tests: it builds the element tree of an SVG and throws on
// anything that is not well-formed (unbalanced or crossed tags, unquoted or repeated attributes,
// a bare "&" or "<" in text, unknown entities, text outside the root).

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** the element's own text, entities decoded */
  text: string;
}

const NAME = /^[A-Za-z_:][\w:.-]*/;

function decode(s: string, where: number): string {
  return s.replace(/&([^;]*);?/g, (m, body: string) => {
    if (!m.endsWith(";")) throw new Error(`bare & at ${where}`);
    if (body === "amp") return "&";
    if (body === "lt") return "<";
    if (body === "gt") return ">";
    if (body === "quot") return '"';
    if (body === "apos") return "'";
    if (/^#\d+$/.test(body)) return String.fromCodePoint(Number(body.slice(1)));
    if (/^#x[0-9a-fA-F]+$/.test(body))
      return String.fromCodePoint(Number.parseInt(body.slice(2), 16));
    throw new Error(`unknown entity &${body}; at ${where}`);
  });
}

export function parseXml(src: string): XmlElement {
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  while (i < src.length) {
    if (src.startsWith("<?", i)) {
      const end = src.indexOf("?>", i);
      if (end < 0) throw new Error(`unterminated <? at ${i}`);
      i = end + 2;
    } else if (src.startsWith("<!--", i)) {
      const end = src.indexOf("-->", i);
      if (end < 0) throw new Error(`unterminated comment at ${i}`);
      i = end + 3;
    } else if (src.startsWith("<![CDATA[", i)) {
      const end = src.indexOf("]]>", i);
      if (end < 0 || stack.length === 0) throw new Error(`bad CDATA at ${i}`);
      stack[stack.length - 1]!.text += src.slice(i + 9, end);
      i = end + 3;
    } else if (src.startsWith("<!DOCTYPE", i)) {
      const end = src.indexOf(">", i);
      i = end + 1;
    } else if (src.startsWith("</", i)) {
      const m = NAME.exec(src.slice(i + 2));
      if (!m) throw new Error(`bad end tag at ${i}`);
      const open = stack.pop();
      if (!open || open.name !== m[0]) {
        throw new Error(`</${m[0]}> at ${i} closes <${open?.name ?? "nothing"}>`);
      }
      const end = src.indexOf(">", i);
      if (src.slice(i + 2 + m[0].length, end).trim() !== "")
        throw new Error(`junk in end tag at ${i}`);
      i = end + 1;
    } else if (src[i] === "<") {
      const m = NAME.exec(src.slice(i + 1));
      if (!m) throw new Error(`bad tag at ${i}`);
      const el: XmlElement = { name: m[0], attrs: {}, children: [], text: "" };
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(el);
      else if (root === null) root = el;
      else throw new Error(`a second root element <${el.name}> at ${i}`);
      let j = i + 1 + m[0].length;
      for (;;) {
        while (/\s/.test(src[j] ?? "")) j++;
        if (src.startsWith("/>", j)) {
          j += 2;
          break;
        }
        if (src[j] === ">") {
          j++;
          stack.push(el);
          break;
        }
        const a = NAME.exec(src.slice(j));
        if (!a) throw new Error(`bad attribute at ${j} in <${el.name}>`);
        j += a[0].length;
        if (src[j] !== "=") throw new Error(`attribute ${a[0]} without a value at ${j}`);
        const q = src[j + 1];
        if (q !== '"' && q !== "'") throw new Error(`unquoted attribute ${a[0]} at ${j}`);
        const end = src.indexOf(q, j + 2);
        if (end < 0) throw new Error(`unterminated attribute ${a[0]} at ${j}`);
        const value = src.slice(j + 2, end);
        if (value.includes("<")) throw new Error(`"<" in attribute ${a[0]} at ${j}`);
        if (a[0] in el.attrs) throw new Error(`repeated attribute ${a[0]} at ${j}`);
        el.attrs[a[0]] = decode(value, j);
        j = end + 1;
      }
      i = j;
    } else {
      const next = src.indexOf("<", i);
      const text = src.slice(i, next < 0 ? src.length : next);
      if (stack.length === 0) {
        if (text.trim() !== "") throw new Error(`text outside the root at ${i}`);
      } else stack[stack.length - 1]!.text += decode(text, i);
      i = next < 0 ? src.length : next;
    }
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`);
  if (root === null) throw new Error("no root element");
  return root;
}

/** Every element of the tree, depth first. */
export function allElements(el: XmlElement): XmlElement[] {
  return [el, ...el.children.flatMap(allElements)];
}

/** All text of the tree's <text> elements. */
export function texts(el: XmlElement): string[] {
  return allElements(el)
    .filter((e) => e.name === "text")
    .map((e) => e.text.trim());
}
