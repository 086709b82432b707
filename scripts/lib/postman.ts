import { createHash } from 'node:crypto';

/** Runs after every request of the collection (Postman sandbox JavaScript). */
const COLLECTION_TESTS = [
  "pm.test('not a server error (a 5xx is a bug)', function () { pm.expect(pm.response.code).to.be.below(500); });",
  'if (pm.response.code >= 400) {',
  "  pm.test('errors come in the one JSON shape', function () {",
  '    var body = pm.response.json();',
  "    pm.expect(body.error.code).to.be.a('string');",
  "    pm.expect(body.error.message).to.be.a('string');",
  '  });',
  '}',
];

interface PostmanItem {
  id?: string;
  item?: PostmanItem[];
  response?: unknown[];
  [key: string]: unknown;
}

/** Ids from the item's path in the tree instead of random ones: regenerating gives the same file. */
function stableIds(items: PostmanItem[], prefix: string): void {
  items.forEach((item, index) => {
    const path = `${prefix}/${index}:${String(item.name ?? '')}`;
    if ('id' in item)
      item.id = createHash('sha256')
        .update(path)
        .digest('hex')
        .slice(0, 32)
        .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
    if (item.item) stableIds(item.item, path);
    // Example responses would triple the file for little use: the OpenAPI document has them.
    if (item.response) item.response = [];
  });
}

/**
 * The Postman collection of an OpenAPI document: folders by tag, requests named by summary,
 * `{{baseUrl}}` and bearer `{{accessToken}}` from the environment, and the collection-level checks.
 */
export async function buildPostmanCollection(openapi: object): Promise<Record<string, unknown>> {
  // CommonJS without types (a devDependency: only this script and the tests use it).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const converter = require('openapi-to-postmanv2') as {
    convertV2(
      input: object,
      options: object,
      cb: (
        err: Error | null,
        result: { result: boolean; reason?: string; output: { data: Record<string, unknown> }[] },
      ) => void,
    ): void;
  };
  // The converter warns on the console when it cannot merge an allOf for its fake example bodies
  // (json-schema-merge-allof and `default`); the request is generated all the same. Keep only other warnings.
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!String(args[0]).startsWith('Error while resolving allOf schema')) warn(...args);
  };
  const result = await new Promise<{ result: boolean; reason?: string; output: { data: Record<string, unknown> }[] }>(
    (resolve, reject) =>
      converter.convertV2(
        { type: 'json', data: openapi },
        {
          folderStrategy: 'Tags',
          requestNameSource: 'Fallback',
          parametersResolution: 'Example',
          alwaysInheritAuthentication: true,
          enableOptionalParameters: false,
        },
        (err, res) => (err ? reject(err) : resolve(res)),
      ),
  ).finally(() => {
    console.warn = warn;
  });
  if (!result.result) throw new Error(`openapi-to-postmanv2: ${result.reason}`);
  const collection = result.output[0].data as Record<string, unknown> & {
    info: Record<string, unknown>;
    item: PostmanItem[];
  };
  collection.info = { ...collection.info, _postman_id: 'c0ffee00-0000-4000-8000-726f6f6d626f' };
  stableIds(collection.item, '');
  collection.variable = [{ key: 'baseUrl', value: '{{baseUrl}}', type: 'string' }];
  collection.auth = { type: 'bearer', bearer: [{ key: 'token', value: '{{accessToken}}', type: 'string' }] };
  collection.event = [{ listen: 'test', script: { type: 'text/javascript', exec: COLLECTION_TESTS } }];
  return collection;
}
