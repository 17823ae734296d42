/**
 * Assembler expressions, as GNU as reads them: numbers (decimal, 0x, 0b, leading-0 octal, 'c'),
 * symbols, `.` (the current location), numeric local labels (`1b`, `1f`), unary - ~ ! +, and
 * binary operators with GNU's precedence (* / % << >> bind tightest, then | & ^ !, then
 * + - and comparisons, then && ||).
 */

export type Expr =
  | { readonly k: 'num'; readonly v: bigint }
  | { readonly k: 'sym'; readonly name: string }
  | { readonly k: 'dot' }
  | { readonly k: 'local'; readonly n: number; readonly dir: 'b' | 'f' }
  | { readonly k: 'un'; readonly op: string; readonly a: Expr }
  | { readonly k: 'bin'; readonly op: string; readonly a: Expr; readonly b: Expr };

/** A bad expression or operand; the assembler adds the line. */
export class ExprError extends Error {}

/**
 * A value and how many label addresses it carries (GNU's "relocatable" count): `label + 4` is 1,
 * `end - start` is 0. `.org` uses it to tell a section offset from an address.
 */
export interface Value {
  readonly v: bigint;
  readonly rel: number;
}

export interface EvalContext {
  /** The value of a symbol, or undefined when it is not (yet) defined. */
  symbol(name: string): Value | undefined;
  /** The address of `.`. */
  readonly dot: bigint;
  /** A numeric local label reference; undefined when there is no such definition. */
  local(n: number, dir: 'b' | 'f'): bigint | undefined;
}

const PREC: Readonly<Record<string, number>> = {
  '*': 4, '/': 4, '%': 4, '<<': 4, '>>': 4,
  '|': 3, '&': 3, '^': 3, '!': 3,
  '+': 2, '-': 2, '==': 2, '!=': 2, '<>': 2, '<': 2, '>': 2, '<=': 2, '>=': 2,
  '&&': 1, '||': 1,
};

const IDENT = /^[A-Za-z_.$][A-Za-z0-9_.$]*/;

class Parser {
  pos = 0;
  constructor(readonly text: string) {}

  fail(msg: string): never {
    throw new ExprError(`${msg} in expression '${this.text.trim()}'`);
  }

  skip(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
  }

  binop(): string | undefined {
    this.skip();
    const two = this.text.slice(this.pos, this.pos + 2);
    if (two in PREC) return two;
    const one = this.text[this.pos];
    return one !== undefined && one in PREC ? one : undefined;
  }

  expr(minPrec = 1): Expr {
    let a = this.unary();
    for (;;) {
      const op = this.binop();
      if (op === undefined || PREC[op] < minPrec) return a;
      this.pos += op.length;
      const b = this.expr(PREC[op] + 1);
      a = { k: 'bin', op, a, b };
    }
  }

  unary(): Expr {
    this.skip();
    const c = this.text[this.pos];
    if (c === '-' || c === '~' || c === '!' || c === '+') {
      this.pos++;
      return { k: 'un', op: c, a: this.unary() };
    }
    if (c === '(') {
      this.pos++;
      const e = this.expr();
      this.skip();
      if (this.text[this.pos] !== ')') this.fail("missing ')'");
      this.pos++;
      return e;
    }
    return this.primary();
  }

  primary(): Expr {
    const rest = this.text.slice(this.pos);
    let m = /^([0-9]+)([bf])(?![0-9A-Za-z_.$])/.exec(rest);
    if (m !== null) {
      this.pos += m[0].length;
      return { k: 'local', n: Number(m[1]), dir: m[2] as 'b' | 'f' };
    }
    m = /^(0[xX][0-9a-fA-F]+|0[bB][01]+|[0-9]+)(?![0-9A-Za-z_.$])/.exec(rest);
    if (m !== null) {
      this.pos += m[0].length;
      const t = m[1];
      if (/^0[bB]/.test(t)) return { k: 'num', v: BigInt(t) };
      if (/^0[0-9]+$/.test(t)) {
        if (/[89]/.test(t)) this.fail(`bad octal number '${t}'`);
        return { k: 'num', v: BigInt('0o' + t.slice(1)) };
      }
      return { k: 'num', v: BigInt(t) };
    }
    m = /^'(\\.|[^\\])'?/.exec(rest);
    if (m !== null) {
      this.pos += m[0].length;
      const ch = m[1].length === 2 ? unescapeChar(m[1][1]) : m[1].charCodeAt(0);
      return { k: 'num', v: BigInt(ch) };
    }
    m = IDENT.exec(rest);
    if (m !== null) {
      this.pos += m[0].length;
      return m[0] === '.' ? { k: 'dot' } : { k: 'sym', name: m[0] };
    }
    if (rest.trim() === '') this.fail('missing value');
    this.fail(`unexpected '${rest.trim()[0]}'`);
  }
}

function unescapeChar(c: string): number {
  const map: Record<string, number> = { n: 10, t: 9, r: 13, '0': 0, '\\': 92, "'": 39, '"': 34, b: 8, f: 12, v: 11, a: 7 };
  return map[c] ?? c.charCodeAt(0);
}

/** Parses a whole expression; throws ExprError on trailing text. */
export function parseExpr(text: string): Expr {
  const p = new Parser(text);
  const e = p.expr();
  p.skip();
  if (p.pos < text.length) p.fail(`unexpected '${text.slice(p.pos).trim()}'`);
  return e;
}

/** Symbols an expression names (to report undefined ones). */
export function exprSymbols(e: Expr): string[] {
  switch (e.k) {
    case 'sym':
      return [e.name];
    case 'un':
      return exprSymbols(e.a);
    case 'bin':
      return [...exprSymbols(e.a), ...exprSymbols(e.b)];
    default:
      return [];
  }
}

const b = (x: boolean): bigint => (x ? 1n : 0n);

/** Evaluates `e`; throws ExprError for undefined symbols and division by zero. */
export function evaluate(e: Expr, ctx: EvalContext): Value {
  switch (e.k) {
    case 'num':
      return { v: e.v, rel: 0 };
    case 'dot':
      return { v: ctx.dot, rel: 1 };
    case 'sym': {
      const v = ctx.symbol(e.name);
      if (v === undefined) throw new ExprError(`undefined symbol '${e.name}'`);
      return v;
    }
    case 'local': {
      const v = ctx.local(e.n, e.dir);
      if (v === undefined) throw new ExprError(`no local label '${e.n}:' ${e.dir === 'b' ? 'before' : 'after'} this line (for '${e.n}${e.dir}')`);
      return { v, rel: 1 };
    }
    case 'un': {
      const a = evaluate(e.a, ctx);
      if (e.op === '-') return { v: -a.v, rel: -a.rel };
      if (e.op === '+') return a;
      if (e.op === '~') return { v: ~a.v, rel: 0 };
      return { v: b(a.v === 0n), rel: 0 };
    }
    case 'bin': {
      const x = evaluate(e.a, ctx);
      const y = evaluate(e.b, ctx);
      switch (e.op) {
        case '+':
          return { v: x.v + y.v, rel: x.rel + y.rel };
        case '-':
          return { v: x.v - y.v, rel: x.rel - y.rel };
      }
      const v = binary(e.op, x.v, y.v);
      return { v, rel: 0 };
    }
  }
}

/** GNU: comparisons give -1 for true, && and || give 1. */
function binary(op: string, x: bigint, y: bigint): bigint {
  switch (op) {
    case '*':
      return x * y;
    case '/':
    case '%':
      if (y === 0n) throw new ExprError('division by zero');
      return op === '/' ? x / y : x % y;
    case '<<':
      if (y < 0n || y > 127n) throw new ExprError(`shift by ${y} is out of range`);
      return BigInt.asIntN(128, x << y);
    case '>>':
      if (y < 0n || y > 127n) throw new ExprError(`shift by ${y} is out of range`);
      return x >> y;
    case '|':
      return x | y;
    case '&':
      return x & y;
    case '^':
      return x ^ y;
    case '!':
      return x | ~y; // GNU's "or not"
    case '==':
      return -b(x === y);
    case '!=':
    case '<>':
      return -b(x !== y);
    case '<':
      return -b(x < y);
    case '>':
      return -b(x > y);
    case '<=':
      return -b(x <= y);
    case '>=':
      return -b(x >= y);
    case '&&':
      return b(x !== 0n && y !== 0n);
    case '||':
      return b(x !== 0n || y !== 0n);
  }
  throw new ExprError(`unknown operator '${op}'`);
}
