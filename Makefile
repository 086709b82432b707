# Shortcuts over the npm scripts (which stay the source of truth); `make help` lists them.
.PHONY: help up test bench lint typecheck compose-up compose-logs down openapi postman diagrams reconcile

help: ## this list
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

up: ## the whole stack locally (Temporal dev server, worker, api, mail catcher; ARGS=--tracing adds Jaeger); Ctrl-C stops it
	npm start -- $(ARGS)

test: ## the whole test suite against real Temporal, Postgres and Redis (ARGS=test/ops to choose files)
	npm test -- $(ARGS)

bench: ## the benchmarks (ARGS=--quick for the small version)
	npm run bench -- $(ARGS)

lint: ## ESLint, the type check, the OpenAPI lint and the declared dependencies
	npm run lint
	npm run typecheck
	npm run lint:openapi
	npm run lint:deps

compose-up: ## the Docker stack in the background (docker compose up --build -d)
	docker compose up --build -d

compose-logs: ## follow the Docker stack's logs
	docker compose logs -f

down: ## stop the Docker stack (its volumes are kept)
	docker compose down

openapi: ## write the OpenAPI document to .data/openapi.json
	npm run openapi -- .data/openapi.json

postman: ## regenerate postman/roombook.postman_collection.json from the OpenAPI document
	npm run postman

diagrams: ## render docs/diagrams/*.dot to SVG (needs Graphviz)
	npm run diagrams

reconcile: ## compare booking rows with their workflows now and repair drift (ARGS=--dry-run to only report)
	npm run reconcile -- $(ARGS)
