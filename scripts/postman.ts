// `npm run postman`: the Postman collection generated from the OpenAPI document (openapi-to-postmanv2),
// written to postman/roombook.postman_collection.json beside its environment file. Every request
// inherits bearer auth ({{accessToken}}) and runs the collection's checks: never a 5xx, and every
// 4xx in the one JSON error shape. The test suite regenerates it and runs it with newman.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildApiDocument } from '../src/api/documents';
import { buildPostmanCollection } from './lib/postman';

const out = join(__dirname, '..', 'postman', 'roombook.postman_collection.json');
buildPostmanCollection(buildApiDocument({ ...process.env, PUBLIC_URL: 'http://127.0.0.1:3000' }))
  .then((collection) => {
    writeFileSync(out, `${JSON.stringify(collection, null, 2)}\n`);
    console.log(`Postman collection written: ${out}`);
  })
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
