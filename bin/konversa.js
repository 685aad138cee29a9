#!/usr/bin/env node
// `npx konversa …`: the same as `npm start -- …`, building first when needed.
import "../scripts/start.mjs";
