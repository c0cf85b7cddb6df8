# Ledger — developer entry points. See scripts/env.sh for every environment variable involved.
#
#   make build          dotnet build (Debug, the one configuration used everywhere, incl. ./ledger)
#   make test           start local PostgreSQL/RabbitMQ if needed, dotnet test, stop what it started
#   make run            start local servers (left running), then serve the Host on $(LEDGER_URL)
#   make services-up    start local PostgreSQL (127.0.0.1:55432) and RabbitMQ (127.0.0.1:55672)
#   make services-down  stop the servers that services-up / run started
#   make bench          run the benchmark harness (Release), if there is one
#   make codegen        regenerate Wolverine's handlers into src/Host/Internal/Generated (commit them; a test fails when stale)
#   make openapi        regenerate schemas/openapi.json from what the Host serves at /openapi/v1.json
#   make clean          dotnet clean + test results; `make distclean` also stops servers and wipes .run
#
# External servers: export LEDGER_PG_ADMIN and/or LEDGER_RABBITMQ (or the Host's
# ConnectionStrings__LedgerAdmin / ConnectionStrings__RabbitMq) and the matching local server is
# neither started nor stopped.

SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
.DEFAULT_GOAL := build

CONFIGURATION    := Debug
SOLUTION         := Ledger.sln
RESULTS_DIR      := .run/test-results
LEDGER_HTTP_PORT ?= 5080
LEDGER_URL       ?= http://127.0.0.1:$(LEDGER_HTTP_PORT)
export LEDGER_HTTP_PORT

# Extra arguments for dotnet test, e.g. make test TEST_ARGS='--filter Category!=Slow'
TEST_ARGS ?=
# A test that runs this long without finishing is considered hung: the run is aborted (and fails).
TEST_HANG_TIMEOUT ?= 15m

.PHONY: build test run services-up services-down backup restore-drill bench codegen openapi clean distclean

build:
	dotnet build $(SOLUTION) -c $(CONFIGURATION) --nologo

test:
	@rm -rf $(RESULTS_DIR) && mkdir -p $(RESULTS_DIR)
	scripts/services.sh exec -- dotnet test $(SOLUTION) -c $(CONFIGURATION) --nologo \
	  --logger trx --results-directory $(RESULTS_DIR) \
	  --blame-hang-timeout $(TEST_HANG_TIMEOUT) --blame-hang-dump-type none $(TEST_ARGS)

run:
	dotnet build src/Host -c $(CONFIGURATION) --nologo -v q
	@echo ""
	@echo "Ledger is starting on $(LEDGER_URL) (Ctrl-C to stop; local servers stay up: make services-down)."
	@echo "In another shell:"
	@echo "  TOKEN=\$$(./ledger token --role clerk --tenant acme)"
	@echo "  LEDGER_URL=$(LEDGER_URL)"
	@echo "  curl -s \$$LEDGER_URL/health/ready"
	@echo "  curl -s -H \"Authorization: Bearer \$$TOKEN\" \$$LEDGER_URL/api/orders/<order-id>"
	@echo ""
	scripts/services.sh exec --keep --app-env -- \
	  dotnet run --project src/Host -c $(CONFIGURATION) --no-build --no-launch-profile -- serve

# Wolverine loads its handlers statically (TypeLoadMode.Static, no Roslyn at run time): the generated code is
# committed, and GeneratedCodeTests fails when it no longer matches what the Host would generate.
codegen:
	rm -rf src/Host/Internal/Generated # stale code may no longer compile against the handlers it was made from
	dotnet build src/Host -c $(CONFIGURATION) --nologo -v q
	cd src/Host && ../../ledger codegen write
	dotnet build src/Host -c $(CONFIGURATION) --nologo -v q

services-up:
	scripts/services.sh up
	@scripts/services.sh status

services-down:
	scripts/services.sh down

# A base backup of the local cluster into .run/backups (WAL archived beside it from then on), and the drill that
# restores it to a scratch server and verifies it: make restore-drill AT=2026-12-05T10:30:00Z for a point in time.
backup:
	scripts/services.sh exec --app-env -- ./ledger backup

restore-drill:
	scripts/services.sh exec --app-env -- ./ledger restore-drill $(if $(AT),--at $(AT))

# make bench QUICK=1: the short run (under five minutes); BENCH_ARGS='--only 1,2' picks scenarios. Writes bench/RESULTS.md.
bench:
	@if [ -d bench/Ledger.Bench ]; then \
	  scripts/services.sh exec -- dotnet run -c Release --project bench/Ledger.Bench -- $(if $(filter 1 true yes,$(QUICK)),--quick) $(BENCH_ARGS); \
	else \
	  echo 'no bench yet'; \
	fi

# The Host generates its OpenAPI document from its endpoints; a test compares it with the committed copy and,
# with LEDGER_WRITE_OPENAPI=1, writes it instead (the Host needs the database to start, hence services.sh).
openapi:
	scripts/services.sh exec -- env LEDGER_WRITE_OPENAPI=1 dotnet test tests/EndToEnd.Tests -c $(CONFIGURATION) --nologo \
	  --filter "FullyQualifiedName=Ledger.EndToEnd.Tests.Hardening.OpenApiDocumentTests.The_committed_document_is_the_served_one"
	@echo "schemas/openapi.json regenerated; review with: git diff schemas/openapi.json"

clean:
	dotnet clean $(SOLUTION) -c $(CONFIGURATION) --nologo -v q
	rm -rf $(RESULTS_DIR)

distclean: clean
	-scripts/rabbitmq.sh stop
	-scripts/pg.sh stop
	rm -rf .run
	# The checkpoint signer's record of what it signed belongs to the database just removed: a new one starts afresh.
	rm -f .ledger/keys/*.signed.jsonl
