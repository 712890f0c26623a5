/**
 * Lexical environment of the binder: what `let` statements and function parameters bind names to.
 */
import type { Expr, Rel } from '../ir/ir.ts';
import type { SynNode } from '../parse/syntax.ts';
import type { PatternBinding } from './pattern.ts';

/** What a name bound by `let` (or a function parameter) stands for. */
export type Binding =
  | { kind: 'scalar'; expr: Expr }
  | { kind: 'tabular'; rel: Rel }
  | { kind: 'function'; decl: SynNode; env: Env; name: string }
  | PatternBinding;

/** A chain of scopes; inner scopes shadow outer ones. */
export class Env {
  private readonly vars = new Map<string, Binding>();
  constructor(readonly parent: Env | null = null) {}

  /** Looks a name up through the chain. */
  get(name: string): Binding | undefined {
    const b = this.vars.get(name);
    if (b) return b;
    return this.parent ? this.parent.get(name) : undefined;
  }

  /** Binds a name in this scope (a later let of the same name replaces it). */
  set(name: string, b: Binding): void {
    this.vars.set(name, b);
  }

  /** A new inner scope. */
  child(): Env {
    return new Env(this);
  }
}
