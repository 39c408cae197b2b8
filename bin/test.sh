#!/bin/sh
# npm test: every test, every part started as soon as it can run, so that both cores stay busy.
#   - lint + type-check;
#   - the tests that need no broker (unit, handlers, local, adapters, infra): CPU-bound;
#   - the app's synthesis for the e2e project (bin/synth-local.ts), then the e2e project, whose
#     files mostly wait on brokers, outages and each other. Its globalSetup finds the app made, so
#     no test waits for a synthesis while a core is idle.
# The two jest runs print side by side, each with its own summary. Exits non-zero if any part
# failed; every part runs whatever another's result.
npm run -s check &
check=$!
(tsx bin/synth-local.ts && jest --selectProjects e2e) &
e2e=$!
jest --selectProjects unit handlers local adapters infra
early=$?
wait "$e2e"
e2e_result=$?
wait "$check"
checked=$?
[ "$early" -eq 0 ] && [ "$e2e_result" -eq 0 ] && [ "$checked" -eq 0 ]
