/**
 * The house rules `npm run lint` checks: no import circles, and layers that
 * point one way, entry → http → auth/session → tools → graph, with the
 * emulator sharing nothing with what it stands in for.
 */
const layer = (name, from, forbidden, comment) => ({
  name,
  comment,
  severity: "error",
  from: { path: from },
  to: { path: forbidden },
});

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "An import circle hides which piece depends on which; break it at the lower layer's interface.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    layer(
      "graph-is-the-bottom",
      "^src/graph/",
      "^src/(tools|session|http|auth|index)",
      "The Graph client owns the interfaces it needs (token source) instead of importing its callers.",
    ),
    layer(
      "tools-do-not-reach-up",
      "^src/tools/",
      "^src/(session|http|auth|index)",
      "Tools see only their context; sessions and transports are above them.",
    ),
    layer(
      "sessions-do-not-know-transports",
      "^src/(session|auth)/",
      "^src/(http|index)",
      "The session and sign-in layers serve any transport; the HTTP adapters call them, never the reverse.",
    ),
    layer(
      "only-the-entry-assembles",
      "^src/",
      "^src/index\\.ts$",
      "src/index.ts assembles the app; nothing imports it.",
    ),
    layer("protocol-is-a-leaf", "^src/protocol/", "^src/(?!protocol/)", "JSON-RPC framing depends on nothing of ours."),
    layer(
      "emulator-shares-nothing",
      "^emulator/",
      "^src/",
      "A test double that shares code with what it tests proves less than it seems.",
    ),
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    exclude: { path: "^(node_modules|\\.wrangler)" },
  },
};
