import type { ApolloServerPlugin, BaseContext, GraphQLRequestContext } from '@apollo/server';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  getNamedType,
  getNullableType,
  getOperationAST,
  GraphQLError,
  isCompositeType,
  isInputObjectType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  parse,
  valueFromASTUntyped,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
  type ValueNode,
} from 'graphql';
import { z } from 'zod';

/**
 * Operation limits, checked before anything is executed: on the gateway for every transport
 * (HTTP, WebSocket, SSE) before the query planner calls a subgraph, and again by every
 * subgraph for whoever reaches it. Depth, aliases and directives are graphql-armor's
 * validation rules (fragment-cycle safe); tokens are graphql-js's parser limit; root fields and
 * the cost estimate are ours. The cost follows the `@cost` / `@listSize` directives of
 * Federation 2.9 demand control (the IBM GraphQL cost directive), see {@link estimateCost}.
 */
export interface OperationLimits {
  /** Lexical tokens in the document (graphql-js stops parsing past it). */
  maxTokens: number;
  /** Nested field levels (fragments do not add a level; introspection is not counted). */
  maxDepth: number;
  /** Aliased fields, through fragments. */
  maxAliases: number;
  /** Fields selected at the operation's root, through fragments (`__typename` excepted). */
  maxRootFields: number;
  /** Directives used in the operation, through fragments. */
  maxDirectives: number;
  /** Assumed length of a list that neither `@listSize` nor a slicing argument bounds. */
  defaultListSize: number;
  /** Highest estimated cost an operation may have, per caller class. */
  maxCost: Record<CallerClass, number>;
}

/** Who calls: the cost ceiling depends on it. `internal`: the gateway itself (already checked). */
export type CallerClass = 'anonymous' | 'user' | 'apiKey' | 'internal';

export const DEFAULT_OPERATION_LIMITS: OperationLimits = {
  maxTokens: 4_000,
  maxDepth: 12,
  maxAliases: 30,
  maxRootFields: 15,
  maxDirectives: 50,
  defaultListSize: 10,
  maxCost: { anonymous: 2_000, user: 5_000, apiKey: 10_000, internal: 10_000 },
};

const positive = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/**
 * The limits' env, shared by the gateway and every subgraph: MAX_TOKENS, MAX_QUERY_DEPTH,
 * MAX_ALIASES, MAX_ROOT_FIELDS, MAX_DIRECTIVES, DEFAULT_LIST_SIZE, MAX_COST_ANONYMOUS,
 * MAX_COST_USER, MAX_COST_API_KEY.
 */
export const operationLimitsEnv = {
  MAX_TOKENS: positive(DEFAULT_OPERATION_LIMITS.maxTokens),
  MAX_QUERY_DEPTH: positive(DEFAULT_OPERATION_LIMITS.maxDepth),
  MAX_ALIASES: positive(DEFAULT_OPERATION_LIMITS.maxAliases),
  MAX_ROOT_FIELDS: positive(DEFAULT_OPERATION_LIMITS.maxRootFields),
  MAX_DIRECTIVES: positive(DEFAULT_OPERATION_LIMITS.maxDirectives),
  DEFAULT_LIST_SIZE: positive(DEFAULT_OPERATION_LIMITS.defaultListSize),
  MAX_COST_ANONYMOUS: positive(DEFAULT_OPERATION_LIMITS.maxCost.anonymous),
  MAX_COST_USER: positive(DEFAULT_OPERATION_LIMITS.maxCost.user),
  MAX_COST_API_KEY: positive(DEFAULT_OPERATION_LIMITS.maxCost.apiKey),
};

type LimitsEnv = { [K in keyof typeof operationLimitsEnv]: number };

export function operationLimitsFrom(config: LimitsEnv): OperationLimits {
  const maxCost = {
    anonymous: config.MAX_COST_ANONYMOUS,
    user: config.MAX_COST_USER,
    apiKey: config.MAX_COST_API_KEY,
  };
  return {
    maxTokens: config.MAX_TOKENS,
    maxDepth: config.MAX_QUERY_DEPTH,
    maxAliases: config.MAX_ALIASES,
    maxRootFields: config.MAX_ROOT_FIELDS,
    maxDirectives: config.MAX_DIRECTIVES,
    defaultListSize: config.DEFAULT_LIST_SIZE,
    // The gateway checked its caller's own ceiling; its query plans get the highest one.
    maxCost: { ...maxCost, internal: Math.max(...Object.values(maxCost)) },
  };
}

/** Which limit refused an operation (`extensions.limit`). */
export type LimitName = 'tokens' | 'depth' | 'aliases' | 'rootFields' | 'directives' | 'cost';

const limitError = (limit: LimitName, message: string, code = 'GRAPHQL_VALIDATION_FAILED') =>
  new GraphQLError(message, { extensions: { code, limit, http: { status: 400 } } });

/** graphql-armor reports through callbacks; make it a validation error naming the limit. */
const reportAs = (limit: LimitName) => ({
  propagateOnRejection: false,
  onReject: [
    (context: ValidationContext | null, error: GraphQLError) =>
      context?.reportError(limitError(limit, error.message.replace(/^Syntax Error: /, ''))),
  ],
});

/**
 * The validation rules of the limits (run with graphql-js's specified rules). Each walks
 * fragments once, remembering them, so a fragment cycle (refused by NoFragmentCyclesRule)
 * or a fragment fan-out can neither recurse forever nor blow up.
 */
export function limitRules(limits: OperationLimits): ValidationRule[] {
  return [
    maxDepthRule({ n: limits.maxDepth, flattenFragments: true, ...reportAs('depth') }),
    maxAliasesRule({ n: limits.maxAliases, ...reportAs('aliases') }),
    maxDirectivesRule({ n: limits.maxDirectives, ...reportAs('directives') }),
    maxRootFieldsRule(limits.maxRootFields),
  ];
}

function maxRootFieldsRule(max: number): ValidationRule {
  return (context) => ({
    OperationDefinition(operation) {
      const seen = new Set<string>();
      const count = (selectionSet: SelectionSetNode): number => {
        let n = 0;
        for (const selection of selectionSet.selections) {
          if (selection.kind === Kind.FIELD) n += selection.name.value === '__typename' ? 0 : 1;
          else if (selection.kind === Kind.INLINE_FRAGMENT) n += count(selection.selectionSet);
          else if (!seen.has(selection.name.value)) {
            seen.add(selection.name.value);
            const fragment = context.getFragment(selection.name.value);
            if (fragment) n += count(fragment.selectionSet);
          }
        }
        return n;
      };
      const found = count(operation.selectionSet);
      if (found > max)
        context.reportError(limitError('rootFields', `Root fields limit of ${max} exceeded, found ${found}.`));
    },
  });
}

/**
 * Parses with the token limit. Errors are GraphQLErrors with code GRAPHQL_PARSE_FAILED
 * (`limit: 'tokens'` when the document was too long).
 */
export function parseLimited(source: string, limits: Pick<OperationLimits, 'maxTokens'>): DocumentNode {
  try {
    return parse(source, { maxTokens: limits.maxTokens });
  } catch (error) {
    const message = (error as Error).message;
    const tokens = isTokenLimitError(message);
    throw new GraphQLError(message, {
      extensions: { code: 'GRAPHQL_PARSE_FAILED', ...(tokens && { limit: 'tokens' }), http: { status: 400 } },
    });
  }
}

/** Whether a syntax error is graphql-js's token limit ("Document contains more that N tokens", sic). */
export function isTokenLimitError(message: string): boolean {
  return /^Syntax Error: Document contains more tha[nt] \d+ tokens/.test(message);
}

// ---------------------------------------------------------------------------------------------
// Cost

interface ListSize {
  assumedSize?: number;
  slicingArguments?: string[];
  sizedFields?: string[];
}

/** The `@cost` and `@listSize` directives of a schema's SDL (a subgraph's or the supergraph). */
export interface CostModel {
  /** `Type.field` → weight. */
  fields: Map<string, number>;
  /** Type name → weight (objects, scalars, enums). */
  types: Map<string, number>;
  /** `Type.field(argument)` → weight. */
  arguments: Map<string, number>;
  /** `Input.field` → weight. */
  inputFields: Map<string, number>;
  /** `Type.field` → list size rules. */
  listSizes: Map<string, ListSize>;
}

const COST = new Set(['cost', 'federation__cost']);
const LIST_SIZE = new Set(['listSize', 'federation__listSize']);

/** Reads every `@cost(weight:)` and `@listSize(...)` of an SDL. */
export function costModel(sdl: string | DocumentNode): CostModel {
  const document = typeof sdl === 'string' ? parse(sdl) : sdl;
  const model: CostModel = {
    fields: new Map(),
    types: new Map(),
    arguments: new Map(),
    inputFields: new Map(),
    listSizes: new Map(),
  };
  type Directed = { directives?: readonly { name: { value: string }; arguments?: readonly ArgumentLike[] }[] };
  type ArgumentLike = { name: { value: string }; value: ValueNode };
  const args = (directive: { arguments?: readonly ArgumentLike[] }) =>
    Object.fromEntries((directive.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value)]));
  const weightOf = (node: Directed): number | undefined => {
    const directive = node.directives?.find((d) => COST.has(d.name.value));
    const weight = directive && Number(args(directive).weight);
    return weight !== undefined && Number.isFinite(weight) ? weight : undefined;
  };
  const listSizeOf = (node: Directed): ListSize | undefined => {
    const directive = node.directives?.find((d) => LIST_SIZE.has(d.name.value));
    if (!directive) return undefined;
    const { assumedSize, slicingArguments, sizedFields } = args(directive) as Record<string, unknown>;
    return {
      assumedSize: typeof assumedSize === 'number' ? assumedSize : undefined,
      slicingArguments: Array.isArray(slicingArguments) ? slicingArguments.map(String) : undefined,
      sizedFields: Array.isArray(sizedFields) ? sizedFields.map(String) : undefined,
    };
  };
  for (const definition of document.definitions) {
    if (!('name' in definition) || !definition.name) continue;
    const typeName = definition.name.value;
    const typeWeight = weightOf(definition as Directed);
    if (typeWeight !== undefined) model.types.set(typeName, typeWeight);
    if (definition.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION || definition.kind === Kind.INPUT_OBJECT_TYPE_EXTENSION) {
      for (const field of definition.fields ?? []) {
        const weight = weightOf(field);
        if (weight !== undefined) model.inputFields.set(`${typeName}.${field.name.value}`, weight);
      }
      continue;
    }
    if (!('fields' in definition) || !definition.fields) continue;
    for (const field of definition.fields) {
      if (field.kind !== Kind.FIELD_DEFINITION) continue;
      const key = `${typeName}.${field.name.value}`;
      const weight = weightOf(field);
      if (weight !== undefined) model.fields.set(key, weight);
      const listSize = listSizeOf(field);
      if (listSize) model.listSizes.set(key, listSize);
      for (const argument of field.arguments ?? []) {
        const argumentWeight = weightOf(argument);
        if (argumentWeight !== undefined) model.arguments.set(`${key}(${argument.name.value})`, argumentWeight);
      }
    }
  }
  return model;
}

export interface CostInput {
  schema: GraphQLSchema;
  model: CostModel;
  document: DocumentNode;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
  defaultListSize: number;
}

/**
 * The static cost estimate of an operation, as Federation demand control computes it:
 * - a mutation starts at 10, a query or subscription at 0;
 * - a field whose type is an object, interface or union costs 1, a scalar or enum 0, unless
 *   the field or its type has `@cost(weight:)`; arguments and input fields with `@cost` add
 *   their weight;
 * - a list multiplies the cost of one item (the field's own weight and its selection) by its
 *   size: the largest slicing argument given (`@listSize(slicingArguments:)`, else that
 *   argument's default), else `assumedSize`, else the default list size; with `sizedFields`
 *   the size applies to those child fields instead (Relay connections: `edges`); a subgraph's
 *   `_entities` list is as long as its `representations`;
 * - fragments count where they are spread (type conditions are summed: an upper bound).
 * Fragment cycles count nothing (validation refuses them) and every fragment is costed once
 * per sizing context, so a fragment fan-out stays linear.
 */
export function estimateCost(input: CostInput): number {
  const { schema, model, document } = input;
  const operation = getOperationAST(document, input.operationName ?? undefined);
  if (!operation) return 0;
  const variables = input.variables ?? {};
  const fragments = new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  const memo = new Map<string, number>();
  const active = new Set<string>();

  const valueOf = (node: ValueNode): unknown => valueFromASTUntyped(node, variables);
  const argumentsCost = (key: string, field: GraphQLField<unknown, unknown>, node: FieldNode): number => {
    let total = 0;
    for (const argument of node.arguments ?? []) {
      total += model.arguments.get(`${key}(${argument.name.value})`) ?? 0;
      const definition = field.args.find((a) => a.name === argument.name.value);
      if (definition) total += inputCost(definition.type, valueOf(argument.value), 0);
    }
    return total;
  };
  const inputCost = (type: GraphQLInputType, value: unknown, depth: number): number => {
    if (value == null || depth > 20) return 0;
    const nullable = getNullableType(type);
    if (isListType(nullable)) {
      return Array.isArray(value)
        ? value.reduce<number>((sum, item) => sum + inputCost(nullable.ofType as GraphQLInputType, item, depth + 1), 0)
        : 0;
    }
    if (!isInputObjectType(nullable) || typeof value !== 'object') return 0;
    let total = 0;
    for (const [name, field] of Object.entries(nullable.getFields())) {
      const fieldValue = (value as Record<string, unknown>)[name];
      if (fieldValue === undefined) continue;
      total += (model.inputFields.get(`${nullable.name}.${name}`) ?? 0) + inputCost(field.type, fieldValue, depth + 1);
    }
    return total;
  };
  const slicedSize = (field: GraphQLField<unknown, unknown>, node: FieldNode, rules: ListSize): number | undefined => {
    const sizes: number[] = [];
    for (const name of rules.slicingArguments ?? []) {
      const given = node.arguments?.find((a) => a.name.value === name);
      const value = given ? valueOf(given.value) : field.args.find((a) => a.name === name)?.defaultValue;
      if (typeof value === 'number' && Number.isFinite(value)) sizes.push(Math.max(0, value));
    }
    if (sizes.length > 0) return Math.max(...sizes);
    return rules.assumedSize;
  };

  const selectionCost = (
    selectionSet: SelectionSetNode,
    parent: GraphQLNamedType,
    sized: ReadonlyMap<string, number> | undefined,
  ): number => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        total += fieldCost(selection, parent, sized);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (type) total += selectionCost(selection.selectionSet, type, sized);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        const type = fragment && schema.getType(fragment.typeCondition.name.value);
        if (!fragment || !type || active.has(name)) continue;
        const key = `${name}|${sized ? JSON.stringify([...sized]) : ''}`;
        let cost = memo.get(key);
        if (cost === undefined) {
          active.add(name);
          cost = selectionCost(fragment.selectionSet, type, sized);
          active.delete(name);
          memo.set(key, cost);
        }
        total += cost;
      }
    }
    return total;
  };

  const fieldCost = (node: FieldNode, parent: GraphQLNamedType, sized: ReadonlyMap<string, number> | undefined) => {
    const name = node.name.value;
    if (name.startsWith('__') || !(isObjectType(parent) || isInterfaceType(parent))) return 0;
    const field = parent.getFields()[name];
    if (!field) return 0;
    const key = `${parent.name}.${name}`;
    const type = getNamedType(field.type);
    const weight = model.fields.get(key) ?? model.types.get(type.name) ?? (isCompositeType(type) ? 1 : 0);
    const rules = model.listSizes.get(key);
    const slice = rules ? slicedSize(field, node, rules) : undefined;
    const childSized =
      rules?.sizedFields && slice !== undefined ? new Map(rules.sizedFields.map((f) => [f, slice])) : undefined;
    const children = node.selectionSet ? selectionCost(node.selectionSet, type, childSized) : 0;
    const own = weight + children;
    const args = argumentsCost(key, field, node);
    if (!isListType(getNullableType(field.type))) return own + args;
    let size = sized?.get(name);
    if (size === undefined && rules && !rules.sizedFields) size = slice;
    if (size === undefined && name === '_entities') {
      const representations = node.arguments?.find((a) => a.name.value === 'representations');
      const value = representations && valueOf(representations.value);
      if (Array.isArray(value)) size = value.length;
    }
    return own * (size ?? input.defaultListSize) + args;
  };

  const root = schema.getRootType(operation.operation);
  if (!root) return 0;
  const base = operation.operation === 'mutation' ? 10 : 0;
  return base + selectionCost(operation.selectionSet, root, undefined);
}

// ---------------------------------------------------------------------------------------------
// After validation, before execution

/** Any string holding a NUL character, in variables or in the document's string literals. */
export function containsNul(document: DocumentNode, variables: unknown): boolean {
  let found = false;
  visit(document, {
    StringValue(node) {
      if (node.value.includes('\u0000')) found = true;
    },
  });
  if (found) return true;
  const stack: unknown[] = [variables];
  let budget = 100_000;
  while (stack.length > 0 && budget-- > 0) {
    const value = stack.pop();
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return true;
    } else if (Array.isArray(value)) stack.push(...value);
    else if (value && typeof value === 'object') stack.push(...Object.keys(value), ...Object.values(value));
  }
  return false;
}

const badRequest = (message: string) =>
  new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });

export interface OperationCheck {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
  /** The cost directives of the schema served; none: costs are not estimated. */
  model?: CostModel;
  limits: OperationLimits;
  /** The caller's ceiling; undefined: estimated (if asked) but not limited. */
  maxCost?: number;
}

/**
 * What a validated document must pass before it runs: one operation to run (an unknown
 * `operationName`, or several operations without one, is BAD_USER_INPUT), no NUL character in
 * any input (PostgreSQL text cannot hold one), and a cost within the caller's ceiling
 * (COST_ESTIMATED_TOO_EXPENSIVE). Throws a GraphQLError with an HTTP status of 400; returns
 * the estimated cost.
 */
export function checkOperation(check: OperationCheck): number | undefined {
  const operation = getOperationAST(check.document, check.operationName ?? undefined);
  if (!operation) {
    const named = check.operationName;
    throw badRequest(
      named
        ? `Unknown operation named "${String(named).slice(0, 100)}"`
        : 'The document has several operations: name the one to run with operationName',
    );
  }
  if (containsNul(check.document, check.variables)) {
    throw badRequest('Inputs must not contain NUL (\\u0000) characters');
  }
  if (!check.model) return undefined;
  const estimated = estimateCost({
    schema: check.schema,
    model: check.model,
    document: check.document,
    operationName: check.operationName,
    variables: check.variables,
    defaultListSize: check.limits.defaultListSize,
  });
  if (check.maxCost !== undefined && estimated > check.maxCost) {
    throw new GraphQLError(
      `The operation's estimated cost ${estimated} is over the limit of ${check.maxCost} for this caller`,
      {
        extensions: {
          code: 'COST_ESTIMATED_TOO_EXPENSIVE',
          limit: 'cost',
          cost: { estimated, max: check.maxCost },
          http: { status: 400 },
        },
      },
    );
  }
  return estimated;
}

/** The request asked for its cost: `"extensions": { "cost": true }`. */
export const wantsCost = (extensions: Record<string, unknown> | undefined | null) => extensions?.cost === true;

export interface LimitsPluginOptions<C extends BaseContext> {
  limits: OperationLimits;
  /** The cost directives of the schema being served (may change with it). */
  model: () => CostModel | undefined;
  /** The caller's cost ceiling; undefined skips the limit (requests the gateway checked itself). */
  maxCost: (context: C) => number | undefined;
}

/**
 * Apollo Server plugin: {@link checkOperation} once the operation is resolved (after parsing
 * with the token limit and validating with {@link limitRules}), and the estimated cost in the
 * response's `extensions.cost` when the request asked for it.
 */
export function operationLimitsPlugin<C extends BaseContext>(options: LimitsPluginOptions<C>): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      let estimated: number | undefined;
      return {
        async didResolveOperation(ctx: GraphQLRequestContext<C>) {
          estimated = checkOperation({
            schema: ctx.schema,
            document: ctx.document!,
            operationName: ctx.request.operationName,
            variables: ctx.request.variables,
            model: options.model(),
            limits: options.limits,
            maxCost: options.maxCost(ctx.contextValue),
          });
        },
        async willSendResponse(ctx) {
          const body = ctx.response.body;
          if (estimated === undefined || !wantsCost(ctx.request.extensions) || body.kind !== 'single') return;
          const max = options.maxCost(ctx.contextValue);
          body.singleResult.extensions = { ...body.singleResult.extensions, cost: { estimated, max } };
        },
      };
    },
  };
}
