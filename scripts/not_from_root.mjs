// `npm pack` and `npm publish` at the repository root (the "prepack" and "prepublishOnly"
// scripts): the package users install is built into dist/, with its own package.json; the
// root is the development tree, so either command here would ship the wrong thing. Both
// stop with what to run instead. Installing the repository from a git URL is unaffected:
// npm runs "prepare" for that, not these.
//
// Plain JavaScript, as scripts/setup.mjs: it runs on whatever Node drives npm.
const command = process.env.npm_command === "publish" ? "publish" : "pack";
console.error(
  `anynet: 'npm ${command}' at the repository root would pack the development tree, not the package.\n` +
    `The package is built into dist/ (npm install or npm run build does it): run 'npm ${command} ./dist'.`,
);
process.exit(1);
