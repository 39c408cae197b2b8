#!/bin/sh
# npm test: every test, in two phases that keep both cores busy without starving the e2e files.
#   1. lint + type-check, the app's synthesis for the e2e project (bin/synth-local.ts) and the
#      tests that need no broker (unit, handlers, local, adapters, infra), side by side;
#   2. the e2e project, on its own: its files wait on brokers, outages and each other, and run
#      slower when the CPU-bound infra syntheses share the machine with them.
# Exits non-zero if any part failed; every part runs whatever another's result.
npm run -s check &
check=$!
tsx bin/synth-local.ts &
synth=$!
jest --selectProjects unit handlers local adapters infra
early=$?
wait "$synth"
synthesized=$?
jest --selectProjects e2e
e2e=$?
wait "$check"
checked=$?
[ "$early" -eq 0 ] && [ "$synthesized" -eq 0 ] && [ "$e2e" -eq 0 ] && [ "$checked" -eq 0 ]
