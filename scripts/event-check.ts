/**
 * Composition's check of `@event` against the event catalogue: every Subscription field's
 * directive must name a catalogue event (topic + type) or notice (routingKey), and each
 * data field it reads (subject, filter, author, owner) must be a field of that payload.
 */
import { Kind, parse, visit, type ConstDirectiveNode } from 'graphql';
import { findEvent, findNotice } from '../packages/contracts/src/events';

const stringArg = (node: ConstDirectiveNode, name: string) => {
  const value = node.arguments?.find((a) => a.name.value === name)?.value;
  return value?.kind === Kind.STRING ? value.value : undefined;
};
const listArg = (node: ConstDirectiveNode, name: string) => {
  const value = node.arguments?.find((a) => a.name.value === name)?.value;
  if (value?.kind === Kind.LIST) return value.values.flatMap((v) => (v.kind === Kind.STRING ? [v.value] : []));
  return value?.kind === Kind.STRING ? [value.value] : [];
};

/** Problems with the `@event` directives of one subgraph's SDL (empty when all is well). */
export function checkEventDirectives(subgraph: string, sdl: string): string[] {
  const problems: string[] = [];
  visit(parse(sdl), {
    FieldDefinition(field) {
      for (const directive of field.directives ?? []) {
        if (directive.name.value !== 'event') continue;
        const where = `${subgraph}: ${field.name.value} @event`;
        const topic = stringArg(directive, 'topic');
        const type = stringArg(directive, 'type');
        const routingKey = stringArg(directive, 'routingKey');
        const definition = topic && type ? findEvent(topic, type) : routingKey ? findNotice(routingKey) : undefined;
        if (!definition) {
          const named = topic ? `event "${type}" on topic "${topic}"` : `notice "${routingKey}"`;
          problems.push(`${where} names ${named}, which is not in the event catalogue (packages/contracts/src/events)`);
          continue;
        }
        const known = Object.keys(definition.data.shape);
        const read = [
          stringArg(directive, 'subject') ?? 'id',
          ...listArg(directive, 'filter').map((f) => (f.split(':')[1] ?? f).trim()),
          stringArg(directive, 'author'),
          stringArg(directive, 'owner'),
        ].filter((f): f is string => !!f);
        for (const name of read) {
          if (!known.includes(name))
            problems.push(`${where} reads data field "${name}", which its payload does not have`);
        }
      }
    },
  });
  return problems;
}
