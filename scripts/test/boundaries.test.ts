/**
 * The import boundaries `npm run lint` enforces (scripts/lint/boundaries.mjs), shown on
 * fixtures linted as if they sat at the given paths.
 */
import { resolve } from 'node:path';
import { ESLint } from 'eslint';

const ROOT = resolve(__dirname, '../..');
const eslint = new ESLint({ cwd: ROOT });

async function boundaryErrors(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(ROOT, path) });
  return result!.messages.filter((m) => m.ruleId === 'agora/boundaries').map((m) => m.message);
}

describe('import boundaries (npm run lint)', () => {
  it('refuses a subgraph importing another subgraph, by package name or by relative path', async () => {
    expect(
      await boundaryErrors('subgraphs/forum/src/x.ts', "export { commentsService } from '@agora/comments/service';\n"),
    ).toEqual([expect.stringContaining('a subgraph imports only @agora/kit and @agora/contracts')]);
    expect(
      await boundaryErrors(
        'subgraphs/forum/src/resolvers/x.ts',
        "export { CommentStore } from '../../../comments/src/store/comments';\n",
      ),
    ).toHaveLength(1);
    expect(
      await boundaryErrors('subgraphs/forum/src/x.ts', "export { startGateway } from '@agora/gateway/gateway';\n"),
    ).toHaveLength(1);
  });

  it('lets a subgraph import itself, the kit and the contracts', async () => {
    const code = [
      "export { PostStore } from './store/posts';",
      "export { sleep } from '@agora/kit/time';",
      "export { SUBGRAPHS } from '@agora/contracts/subgraphs';",
      '',
    ].join('\n');
    expect(await boundaryErrors('subgraphs/forum/src/x.ts', code)).toEqual([]);
  });

  it('refuses the kit importing an app, the gateway or a subgraph', async () => {
    expect(
      await boundaryErrors('packages/kit/src/x.ts', "export { startEmbeddedStack } from '@agora/embedded/stack';\n"),
    ).toEqual([expect.stringContaining('must not import application code')]);
    expect(
      await boundaryErrors('packages/kit/src/x.ts', "export { gatewayConfig } from '../../../gateway/src/config';\n"),
    ).toHaveLength(1);
    expect(
      await boundaryErrors('packages/contracts/src/x.ts', "export { forumService } from '@agora/forum/service';\n"),
    ).toHaveLength(1);
  });

  it('refuses production code importing the testing entry, and allows it in tests', async () => {
    const code = "export { waitFor } from '@agora/kit/testing';\n";
    expect(await boundaryErrors('subgraphs/forum/src/x.ts', code)).toEqual([
      expect.stringContaining("must not import the kit's testing entry"),
    ]);
    expect(await boundaryErrors('gateway/src/x.ts', code)).toHaveLength(1);
    expect(await boundaryErrors('packages/kit/src/x.ts', "export { waitFor } from './testing';\n")).toHaveLength(1);
    expect(await boundaryErrors('subgraphs/forum/test/x.test.ts', code)).toEqual([]);
    expect(await boundaryErrors('apps/embedded/test/x.test.ts', code)).toEqual([]);
  });

  it('refuses the gateway importing a subgraph or an app', async () => {
    expect(
      await boundaryErrors('gateway/src/x.ts', "export { forumService } from '@agora/forum/service';\n"),
    ).toHaveLength(1);
    expect(
      await boundaryErrors('gateway/test/x.test.ts', "export { startEmbeddedStack } from '@agora/embedded/stack';\n"),
    ).toHaveLength(1);
  });
});
