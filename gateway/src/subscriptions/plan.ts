import {
  getArgumentValues,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  Kind,
  print,
  specifiedRules,
  validate,
  visit,
  type ASTNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  OperationTypeNode,
  type OperationDefinitionNode,
  type ValidationRule,
} from 'graphql';
import { badInput, forbidden, unauthenticated } from '@agora/kit/errors';
import { limitRules, parseLimited, type OperationLimits } from '@agora/kit/operation-limits';
import type { Viewer } from '@agora/kit/viewer';
import type { EventField } from './event-directive';

/** What a client sends over WebSocket or SSE. */
export interface OperationRequest {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
  extensions?: Record<string, unknown> | null;
}

export interface ParsedOperation {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  /** As sent: passed on to the payload query, which Apollo coerces again. */
  variables: Record<string, unknown>;
  coercedVariables: Record<string, unknown>;
}

/** How one subscriber's events are matched and resolved. */
export interface SubscriptionPlan {
  field: EventField;
  /** Where the payload sits in the result: the field's alias or name. */
  responseKey: string;
  /** The subscription field's argument values. */
  args: Record<string, unknown>;
  /** Set when the subscription means "my own" (see EventField.owner): the viewer's id. */
  ownerId?: string;
  /** The payload query: the subscriber's selection set over `entityQuery(id: $__subject)`. */
  query: string;
  /** The subscriber's variables that the payload query uses. */
  variables: Record<string, unknown>;
  /** The payload depends on who asks: resolved with the subscriber's token, shared only with themselves. */
  asViewer: boolean;
  /** Subscribers with equal keys get the same payload, so they share one resolution per event. */
  sharingKey: string;
}

/** The variable the payload query takes the event's entity id in. */
export const SUBJECT_VARIABLE = '__subject';

/** Fields whose value depends on who asks (DESIGN.md's naming: `me`, `viewerIsFollowing`, ...). */
const VIEWER_FIELD = /^(me|viewer([A-Z].*)?)$/;

const code = (error: GraphQLError, value: string) =>
  new GraphQLError(error.message, { nodes: error.nodes, extensions: { ...error.extensions, code: value } });

/**
 * Parses and validates an operation against the API schema with the same limits as the
 * HTTP endpoint (tokens while parsing; depth, aliases, root fields and directives while
 * validating, fragment-cycle safe).
 */
export function parseOperation(
  schema: GraphQLSchema,
  request: OperationRequest,
  limits: OperationLimits,
): ParsedOperation | { errors: GraphQLError[] } {
  if (typeof request.query !== 'string') return { errors: [badInput('query must be a string')] };
  let document: DocumentNode;
  try {
    document = parseLimited(request.query, limits);
  } catch (error) {
    return { errors: [error as GraphQLError] };
  }
  const rules: ValidationRule[] = [...specifiedRules, ...limitRules(limits)];
  const invalid = validate(schema, document, rules);
  if (invalid.length > 0) {
    return {
      errors: invalid.map((error) => (error.extensions.code ? error : code(error, 'GRAPHQL_VALIDATION_FAILED'))),
    };
  }
  const operation = getOperationAST(document, request.operationName);
  if (!operation) {
    const message = request.operationName
      ? `Unknown operation named "${String(request.operationName).slice(0, 100)}"`
      : 'The document has several operations: name the one to run with operationName';
    return { errors: [badInput(message)] };
  }
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {});
  if (coerced.errors) return { errors: coerced.errors.map((error) => code(error, 'BAD_USER_INPUT')) };
  return { document, operation, variables: request.variables ?? {}, coercedVariables: coerced.coerced };
}

/** Turns a validated subscription into the plan its events are matched and resolved with. */
export function planSubscription(
  schema: GraphQLSchema,
  parsed: ParsedOperation,
  fields: Map<string, EventField>,
  viewer: Viewer | null,
): SubscriptionPlan | { errors: GraphQLError[] } {
  const { document, operation } = parsed;
  const root = operation.selectionSet.selections[0];
  if (root?.kind !== Kind.FIELD) {
    return { errors: [badInput('Select the subscription field directly, not through a fragment')] };
  }
  const field = fields.get(root.name.value);
  const definition = schema.getSubscriptionType()?.getFields()[root.name.value];
  if (!field || !definition) {
    return { errors: [badInput(`Subscription.${root.name.value} is not available`)] };
  }
  const args = getArgumentValues(definition, root, parsed.coercedVariables);

  const filtered = field.filters.some(({ argument }) => args[argument] != null);
  const own = field.owner !== undefined && !filtered;
  if (own && !viewer) {
    const names = field.filters.map((f) => f.argument).join(' or ');
    const instead = names ? `, or pass ${names}` : '';
    return {
      errors: [unauthenticated(`Sign in to subscribe to ${field.name} for your own entities${instead}`)],
    };
  }

  if (field.role !== undefined) {
    if (!viewer) return { errors: [unauthenticated(`Sign in to subscribe to ${field.name}`)] };
    if (!viewer.roles.some((role) => role === field.role)) {
      return { errors: [forbidden(`${field.name} is only for the ${field.role} role`)] };
    }
  }

  const { query, variableNames } = payloadQuery(document, operation, root, field);
  const variables = Object.fromEntries(
    variableNames.filter((name) => name in parsed.variables).map((name) => [name, parsed.variables[name]]),
  );
  const asViewer = viewer !== null && (own || field.role !== undefined || dependsOnViewer(document, root));
  const scope = asViewer ? `viewer:${viewer.id}` : 'public';
  return {
    field,
    responseKey: root.alias?.value ?? root.name.value,
    args,
    ownerId: own ? viewer!.id : undefined,
    query,
    variables,
    asViewer,
    sharingKey: `${scope}\n${JSON.stringify(variables)}\n${query}`,
  };
}

/**
 * `query X($__subject: ID!, <used variables>) { <responseKey>: <entityQuery>(id: $__subject) <selection> }`
 * plus the fragments it spreads, so the result has the subscription's own response shape.
 */
function payloadQuery(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  root: FieldNode,
  field: EventField,
): { query: string; variableNames: string[] } {
  const fragments = new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  const used = { variables: new Set<string>(), fragments: new Set<string>() };
  const collect = (node: ASTNode) =>
    visit(node, {
      Variable: (v) => void used.variables.add(v.name.value),
      FragmentSpread: (spread) => {
        const name = spread.name.value;
        if (used.fragments.has(name)) return;
        used.fragments.add(name);
        collect(fragments.get(name)!);
      },
    });
  if (root.selectionSet) collect(root.selectionSet);
  for (const directive of root.directives ?? []) collect(directive);

  const name = (value: string) => ({ kind: Kind.NAME, value }) as const;
  const subject = { kind: Kind.VARIABLE, name: name(SUBJECT_VARIABLE) } as const;
  const query: OperationDefinitionNode = {
    kind: Kind.OPERATION_DEFINITION,
    operation: OperationTypeNode.QUERY,
    name: name(`${field.name}Payload`),
    variableDefinitions: [
      {
        kind: Kind.VARIABLE_DEFINITION,
        variable: subject,
        type: { kind: Kind.NON_NULL_TYPE, type: { kind: Kind.NAMED_TYPE, name: name('ID') } },
      },
      ...(operation.variableDefinitions ?? []).filter((d) => used.variables.has(d.variable.name.value)),
    ],
    selectionSet: {
      kind: Kind.SELECTION_SET,
      selections: [
        {
          kind: Kind.FIELD,
          alias: name(root.alias?.value ?? root.name.value),
          name: name(field.entityQuery),
          arguments: [{ kind: Kind.ARGUMENT, name: name('id'), value: subject }],
          directives: root.directives,
          selectionSet: root.selectionSet,
        },
      ],
    },
  };
  const definitions = [query, ...[...used.fragments].sort().map((n) => fragments.get(n)!)];
  return {
    query: print({ kind: Kind.DOCUMENT, definitions }),
    variableNames: [...used.variables],
  };
}

function dependsOnViewer(document: DocumentNode, root: FieldNode): boolean {
  let found = false;
  const check = (node: ASTNode) =>
    visit(node, {
      Field: (f) => {
        if (VIEWER_FIELD.test(f.name.value)) found = true;
      },
    });
  if (root.selectionSet) check(root.selectionSet);
  // Fragments are checked whole: a viewer field in any of them is enough to stay safe.
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) check(d);
  return found;
}
