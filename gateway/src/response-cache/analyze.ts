import {
  getNamedType,
  getOperationAST,
  isObjectType,
  Kind,
  parse,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { anyOfType, ENTITY_TYPES, entityTag, FIELD_POLICY, ROOT_FIELDS } from './policy';

/** The selection on one (concrete) object type, as the response walk follows it. */
export interface Shape {
  type: string;
  entity: boolean;
  /** Response keys holding the entity's `id` (any alias). */
  idKeys: string[];
  /** Response key → the shape of an object-valued field (leaves are left out). */
  children: Map<string, Shape>;
}

type ArgValue = { literal: unknown } | { variable: string };

export interface RootField {
  name: string;
  /** The entity type the field's value is typed as (its named type), if an entity. */
  returns?: string;
  args: Record<string, ArgValue>;
}

export interface Analysis {
  kind: 'query' | 'mutation' | 'other';
  /** A query whose every field is in the policy (and no @defer/@stream). */
  cacheable: boolean;
  /** Some selected field depends on who asks (kept per viewer for signed-in callers). */
  viewerDependent: boolean;
  shape?: Shape;
  roots: RootField[];
  /** The operation's name in the document, for the API-call log of answers the cache gives. */
  name?: string;
}

const OTHER: Analysis = { kind: 'other', cacheable: false, viewerDependent: false, roots: [] };

/**
 * Reads an operation once (per query text, operation name and schema): whether it may be
 * cached, whether it depends on the viewer, and the shape to tag its responses by. A
 * document that does not parse or does not fit the schema is "other": Apollo answers it.
 */
export function analyze(schema: GraphQLSchema, query: string, operationName: string | undefined): Analysis {
  let document: DocumentNode;
  try {
    document = parse(query, { noLocation: true });
  } catch {
    return OTHER;
  }
  const operation = getOperationAST(document, operationName);
  if (!operation) return OTHER;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const rootType = operation.operation === 'query' ? schema.getQueryType() : schema.getMutationType();
  if (operation.operation === 'subscription' || !rootType) return OTHER;
  const state = { cacheable: operation.operation === 'query', viewerDependent: false };
  const enforce = operation.operation === 'query';
  const shape = shapeOf(schema, rootType, [operation.selectionSet], fragments, state, enforce, new Set());
  if (!shape) return OTHER;
  const roots: RootField[] = [];
  for (const field of collectFields(rootType.name, [operation.selectionSet], fragments, schema, state).values()) {
    const definition = rootType.getFields()[field.name];
    if (!definition) continue;
    const named = getNamedType(definition.type).name;
    const args: Record<string, ArgValue> = {};
    for (const arg of field.nodes[0]!.arguments ?? []) args[arg.name.value] = argValue(arg.value);
    roots.push({ name: field.name, returns: ENTITY_TYPES.has(named) ? named : undefined, args });
  }
  return {
    kind: operation.operation,
    cacheable: state.cacheable,
    viewerDependent: state.viewerDependent,
    shape,
    roots,
    name: operation.name?.value,
  };
}

function argValue(value: ValueNode): ArgValue {
  if (value.kind === Kind.VARIABLE) return { variable: value.name.value };
  return { literal: valueOf(value) };
}

function valueOf(value: ValueNode): unknown {
  switch (value.kind) {
    case Kind.STRING:
    case Kind.ENUM:
      return value.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(value.value);
    case Kind.BOOLEAN:
      return value.value;
    case Kind.LIST:
      return value.values.map(valueOf);
    case Kind.OBJECT:
      return Object.fromEntries(value.fields.map((f) => [f.name.value, valueOf(f.value)]));
    case Kind.VARIABLE:
      return { $variable: value.name.value };
    default:
      return null;
  }
}

interface CollectedField {
  name: string;
  nodes: FieldNode[];
}

/** The fields of selection sets on `typeName`, merged by response key (fragments expanded). */
function collectFields(
  typeName: string,
  sets: readonly SelectionSetNode[],
  fragments: Map<string, FragmentDefinitionNode>,
  schema: GraphQLSchema,
  state: { cacheable: boolean },
): Map<string, CollectedField> {
  const fields = new Map<string, CollectedField>();
  const visit = (set: SelectionSetNode, seen: Set<string>) => {
    for (const selection of set.selections) {
      for (const directive of selection.directives ?? []) {
        const name = directive.name.value;
        if (name !== 'skip' && name !== 'include') state.cacheable = false; // @defer, @stream, unknown
      }
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        const entry = fields.get(key);
        if (entry) entry.nodes.push(selection);
        else fields.set(key, { name: selection.name.value, nodes: [selection] });
        continue;
      }
      const condition =
        selection.kind === Kind.INLINE_FRAGMENT
          ? selection.typeCondition?.name.value
          : fragments.get(selection.name.value)?.typeCondition.name.value;
      // A fragment on another type (an interface this one implements, or a member it is
      // not) would need __typename to follow: not cached.
      if (condition !== undefined && condition !== typeName) {
        state.cacheable = false;
        if (!schema.getType(condition)) continue;
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        visit(selection.selectionSet, seen);
      } else {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || seen.has(fragment.name.value)) continue;
        visit(fragment.selectionSet, new Set([...seen, fragment.name.value]));
      }
    }
  };
  for (const set of sets) visit(set, new Set());
  return fields;
}

function shapeOf(
  schema: GraphQLSchema,
  type: GraphQLNamedType,
  sets: readonly SelectionSetNode[],
  fragments: Map<string, FragmentDefinitionNode>,
  state: { cacheable: boolean; viewerDependent: boolean },
  enforce: boolean,
  path: Set<string>,
): Shape | undefined {
  if (!isObjectType(type)) {
    // Interfaces and unions: the walk would need __typename; such queries are not cached.
    state.cacheable = false;
    return undefined;
  }
  const policy = FIELD_POLICY[type.name];
  const shape: Shape = { type: type.name, entity: ENTITY_TYPES.has(type.name), idKeys: [], children: new Map() };
  for (const [key, field] of collectFields(type.name, sets, fragments, schema, state)) {
    if (field.name === '__typename') continue;
    const definition = type.getFields()[field.name];
    if (!definition) {
      state.cacheable = false; // invalid: Apollo answers with the error
      continue;
    }
    const rule = policy?.[field.name];
    if (enforce && rule === undefined) state.cacheable = false;
    if (rule === 'viewer') state.viewerDependent = true;
    if (field.name === 'id') shape.idKeys.push(key);
    const named = getNamedType(definition.type);
    const subSets = field.nodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
    if (subSets.length === 0) continue;
    // Guard against absurdly deep (or cyclic through fragments) selections.
    if (path.size > 32) {
      state.cacheable = false;
      continue;
    }
    const child = shapeOf(schema, named, subSets, fragments, state, enforce, new Set([...path, key]));
    if (child) shape.children.set(key, child);
  }
  return shape;
}

/**
 * The tags of a response: every entity object it holds (`Type:id`, or `Type:?` when its id
 * was not selected), and each root field's entity by its id argument (`Type:?` without one).
 */
export function responseTags(analysis: Analysis, data: unknown, variables: Record<string, unknown>): Set<string> {
  const tags = new Set<string>();
  if (analysis.shape) walk(data, analysis.shape, tags);
  if (analysis.kind === 'query') {
    for (const root of analysis.roots) {
      const rule = ROOT_FIELDS[root.name];
      if (!rule) continue;
      const id = rule.idArg ? resolveArg(root.args[rule.idArg], variables) : undefined;
      tags.add(
        typeof id === 'string' || typeof id === 'number' ? entityTag(rule.entity, String(id)) : anyOfType(rule.entity),
      );
    }
  }
  return tags;
}

function walk(value: unknown, shape: Shape, tags: Set<string>): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) walk(item, shape, tags);
    return;
  }
  const object = value as Record<string, unknown>;
  if (shape.entity) {
    const id = shape.idKeys.map((key) => object[key]).find((v) => typeof v === 'string' || typeof v === 'number');
    tags.add(id === undefined ? anyOfType(shape.type) : entityTag(shape.type, String(id)));
  }
  for (const [key, child] of shape.children) walk(object[key], child, tags);
}

function resolveArg(arg: ArgValue | undefined, variables: Record<string, unknown>): unknown {
  if (!arg) return undefined;
  return 'variable' in arg ? variables[arg.variable] : arg.literal;
}

/**
 * Entities a mutation names in its arguments: `id` is the entity the field returns,
 * `<name>Id` the entity type `<Name>` (panelId → Panel), `parentId` the returned type.
 * Nested input objects are read too.
 */
export function mutationArgumentTags(analysis: Analysis, variables: Record<string, unknown>): Set<string> {
  const tags = new Set<string>();
  const visit = (name: string, value: unknown, returns: string | undefined) => {
    if (value === null || value === undefined) return;
    if (typeof value === 'object' && !Array.isArray(value)) {
      const object = value as Record<string, unknown>;
      if ('$variable' in object && Object.keys(object).length === 1) {
        return visit(name, variables[object.$variable as string], returns);
      }
      for (const [key, inner] of Object.entries(object)) visit(key, inner, returns);
      return;
    }
    if (typeof value !== 'string') return;
    const type =
      name === 'id' || name === 'parentId'
        ? returns
        : name.endsWith('Id')
          ? name[0]!.toUpperCase() + name.slice(1, -2)
          : undefined;
    if (type && ENTITY_TYPES.has(type)) {
      tags.add(entityTag(type, value));
      tags.add(anyOfType(type));
    }
  };
  for (const root of analysis.roots) {
    for (const [name, arg] of Object.entries(root.args)) visit(name, resolveArg(arg, variables), root.returns);
  }
  return tags;
}
