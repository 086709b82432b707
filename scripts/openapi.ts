// `npm run openapi [-- <file>]`: writes the OpenAPI document the api serves, built from the route
// definitions without connecting to anything (for client generators, the Postman collection, lint).
import { writeFileSync } from 'node:fs';
import { buildApiDocument } from '../src/api/documents';

const out = process.argv[2];
const text = `${JSON.stringify(buildApiDocument(), null, 2)}\n`;
if (out) writeFileSync(out, text);
else process.stdout.write(text);
