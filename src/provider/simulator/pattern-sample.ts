// Builds a string matching a simple regular expression (literals, classes, groups, quantifiers); gives up on the rest.

type PatternNode =
  | { kind: 'chars'; options: string }
  | { kind: 'group'; alternatives: PatternNode[][] }
  | { kind: 'repeat'; node: PatternNode; min: number; max: number };

const DIGITS = '0123456789';
const WORD = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_';
// Open-ended quantifiers (*, +, {n,}) stop a few repetitions past their minimum.
const OPEN_EXTRA = 3;

class Unsupported extends Error {}

/** A string matching `pattern`, or null when the pattern uses features this sampler does not know. */
export function sampleFromPattern(pattern: string, random: () => number): string | null {
  let regex: RegExp;
  let tree: PatternNode[][];
  try {
    regex = new RegExp(pattern);
    tree = new PatternParser(pattern).parse();
  } catch {
    return null;
  }
  for (let attempt = 0; attempt < 8; attempt++) {
    const text = generateAlternatives(tree, random);
    if (regex.test(text)) return text;
  }
  return null;
}

function generateAlternatives(alternatives: PatternNode[][], random: () => number): string {
  const chosen = alternatives[Math.floor(random() * alternatives.length)] ?? [];
  return chosen.map((node) => generateNode(node, random)).join('');
}

function generateNode(node: PatternNode, random: () => number): string {
  switch (node.kind) {
    case 'chars':
      return node.options.charAt(Math.floor(random() * node.options.length));
    case 'group':
      return generateAlternatives(node.alternatives, random);
    case 'repeat': {
      const count = node.min + Math.floor(random() * (node.max - node.min + 1));
      let out = '';
      for (let i = 0; i < count; i++) out += generateNode(node.node, random);
      return out;
    }
  }
}

class PatternParser {
  private pos = 0;

  constructor(private readonly source: string) {}

  parse(): PatternNode[][] {
    const alternatives = this.parseAlternatives();
    if (this.pos < this.source.length) throw new Unsupported('unbalanced )');
    return alternatives;
  }

  private peek(offset = 0): string {
    return this.source.charAt(this.pos + offset);
  }

  private parseAlternatives(): PatternNode[][] {
    const alternatives: PatternNode[][] = [this.parseSequence()];
    while (this.peek() === '|') {
      this.pos++;
      alternatives.push(this.parseSequence());
    }
    return alternatives;
  }

  private parseSequence(): PatternNode[] {
    const sequence: PatternNode[] = [];
    while (this.pos < this.source.length) {
      const char = this.peek();
      if (char === '|' || char === ')') break;
      if (char === '^' || char === '$') {
        this.pos++;
        continue;
      }
      const atom = this.parseAtom();
      sequence.push(this.parseQuantifier(atom));
    }
    return sequence;
  }

  private parseAtom(): PatternNode {
    const char = this.peek();
    this.pos++;
    switch (char) {
      case '(': {
        if (this.peek() === '?') {
          if (this.peek(1) === ':') this.pos += 2;
          else if (this.peek(1) === '<' && /[A-Za-z]/.test(this.peek(2))) {
            const close = this.source.indexOf('>', this.pos);
            if (close < 0) throw new Unsupported('named group');
            this.pos = close + 1;
          } else throw new Unsupported('lookaround');
        }
        const alternatives = this.parseAlternatives();
        if (this.peek() !== ')') throw new Unsupported('unclosed group');
        this.pos++;
        return { kind: 'group', alternatives };
      }
      case '[':
        return this.parseClass();
      case '.':
        return { kind: 'chars', options: 'abcxyz' };
      case '\\':
        return { kind: 'chars', options: this.parseEscape() };
      case '*':
      case '+':
      case '?':
      case '{':
        throw new Unsupported('dangling quantifier');
      default:
        return { kind: 'chars', options: char };
    }
  }

  private parseEscape(): string {
    const char = this.peek();
    this.pos++;
    if (char === 'd') return DIGITS;
    if (char === 'w') return WORD;
    if (char === 's') return ' ';
    if (char === 'n') return '\n';
    if (char === 't') return '\t';
    if (/[A-Za-z0-9]/.test(char)) throw new Unsupported(`escape \\${char}`);
    return char;
  }

  private parseClass(): PatternNode {
    if (this.peek() === '^') throw new Unsupported('negated class');
    let options = '';
    let first = true;
    while (this.pos < this.source.length && (this.peek() !== ']' || first)) {
      first = false;
      let char = this.peek();
      this.pos++;
      if (char === '\\') {
        const escaped = this.parseEscape();
        if (escaped.length > 1) {
          options += escaped;
          continue;
        }
        char = escaped;
      }
      if (this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== '') {
        this.pos++;
        let end = this.peek();
        this.pos++;
        if (end === '\\') end = this.parseEscape();
        if (end.length !== 1 || end < char) throw new Unsupported('bad range');
        for (let code = char.charCodeAt(0); code <= end.charCodeAt(0); code++) {
          options += String.fromCharCode(code);
        }
        continue;
      }
      options += char;
    }
    if (this.peek() !== ']' || options.length === 0) throw new Unsupported('unclosed class');
    this.pos++;
    return { kind: 'chars', options };
  }

  private parseQuantifier(node: PatternNode): PatternNode {
    const char = this.peek();
    let min: number;
    let max: number;
    if (char === '*') [min, max] = [0, OPEN_EXTRA];
    else if (char === '+') [min, max] = [1, 1 + OPEN_EXTRA];
    else if (char === '?') [min, max] = [0, 1];
    else if (char === '{') {
      const match = /^\{(\d+)(,(\d*))?\}/.exec(this.source.slice(this.pos));
      if (!match) return node;
      min = Number(match[1]);
      max = match[2] === undefined ? min : match[3] ? Number(match[3]) : min + OPEN_EXTRA;
      this.pos += match[0].length - 1;
    } else return node;
    this.pos++;
    // A lazy or possessive marker changes matching, not what a match looks like.
    if (this.peek() === '?') this.pos++;
    return { kind: 'repeat', node, min, max };
  }
}
