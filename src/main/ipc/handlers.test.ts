import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { CHANNELS_BY_DOMAIN, METHODS } from '../../shared/contract';

/**
 * The handlers file read as TypeScript (not as text): every channel is one call into the service of the
 * domain whose contract file declares it, so a behaviour is found by its name in one hop and no view is
 * composed at the IPC boundary (docs/architecture.md, "Names").
 */
const source = ts.createSourceFile(
  'handlers.ts',
  readFileSync(join(import.meta.dirname, 'handlers.ts'), 'utf8'),
  ts.ScriptTarget.ES2023,
  true,
);

/** The one rule the boundary adds: the renderer may name only files the station listed on media. */
const GUARDS = new Set(['listedOnMedia']);

/** Where each imported name comes from, as the domain folder under services/. */
function importedDomains(): Map<string, string> {
  const domains = new Map<string, string>();
  for (const st of source.statements) {
    if (!ts.isImportDeclaration(st) || !ts.isStringLiteral(st.moduleSpecifier)) continue;
    const domain = /^\.\.\/services\/([a-z]+)(?:\/queries)?$/.exec(st.moduleSpecifier.text)?.[1];
    const names = st.importClause?.namedBindings;
    if (domain && names && ts.isNamedImports(names))
      for (const n of names.elements) domains.set(n.name.text, domain);
  }
  return domains;
}

/** The object literal createHandlers returns, and the locals it declares (`const jobs = new JobRegistry()`). */
function handlersLiteral(): { literal: ts.ObjectLiteralExpression; locals: Map<string, string> } {
  const fn = source.statements.find(
    (s): s is ts.FunctionDeclaration => ts.isFunctionDeclaration(s) && s.name?.text === 'createHandlers',
  );
  const locals = new Map<string, string>();
  let literal: ts.ObjectLiteralExpression | undefined;
  for (const st of fn?.body?.statements ?? []) {
    if (ts.isVariableStatement(st))
      for (const d of st.declarationList.declarations)
        if (ts.isIdentifier(d.name) && d.initializer && ts.isNewExpression(d.initializer))
          locals.set(d.name.text, d.initializer.expression.getText(source));
    if (ts.isReturnStatement(st) && st.expression && ts.isObjectLiteralExpression(st.expression))
      literal = st.expression;
  }
  if (!literal) throw new Error('createHandlers returns no object literal');
  return { literal, locals };
}

const domainOf = (method: string) =>
  Object.entries(CHANNELS_BY_DOMAIN).find(([, channels]) => Object.hasOwn(channels, method))?.[0];

describe('IPC handlers: one line per channel, (input) => service(station, input)', () => {
  it('every contract domain file has its services domain', () => {
    for (const domain of Object.keys(CHANNELS_BY_DOMAIN))
      expect(existsSync(join(import.meta.dirname, '..', 'services', domain, 'index.ts')), domain).toBe(true);
  });

  it('each handler is a single call into the services domain whose contract file declares the channel', () => {
    const imports = importedDomains();
    const { literal, locals } = handlersLiteral();
    const problems: string[] = [];
    const served = new Set<string>();
    for (const p of literal.properties) {
      const name = p.name?.getText(source) ?? '?';
      served.add(name);
      const fn = ts.isPropertyAssignment(p) ? p.initializer : undefined;
      if (!fn || !ts.isArrowFunction(fn) || !ts.isCallExpression(fn.body)) {
        problems.push(`${name}: not an arrow function whose body is one call`);
        continue;
      }
      const call = fn.body;
      // `service(…)`, or a method of a registry the handlers hold (`jobs.status(…)`).
      const head = ts.isPropertyAccessExpression(call.expression)
        ? call.expression.expression.getText(source)
        : call.expression.getText(source);
      const via = locals.get(head);
      const domain = imports.get(via ?? head);
      if (domain !== domainOf(name))
        problems.push(`${name}: calls ${head} from services/${domain ?? '?'}, declared in ${domainOf(name)}`);
      for (const arg of call.arguments) {
        const composed = (node: ts.Node): boolean =>
          ts.isObjectLiteralExpression(node) ||
          ts.isArrayLiteralExpression(node) ||
          ts.isFunctionLike(node) ||
          ts.isConditionalExpression(node) ||
          (ts.isCallExpression(node) && !GUARDS.has(node.expression.getText(source))) ||
          (ts.forEachChild(node, (c) => (composed(c) ? true : undefined)) ?? false);
        if (composed(arg)) problems.push(`${name}: composes its argument ${arg.getText(source)}`);
      }
    }
    expect(problems).toEqual([]);
    expect([...served].sort()).toEqual([...METHODS].sort());
  });
});
