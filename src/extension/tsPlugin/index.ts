import * as fs from "node:fs";
import * as path from "node:path";
import type * as ts from "typescript";

/**
 * "Types without setup": a TypeScript server plugin that makes `import … from "gradscope"` resolve
 * to the declarations shipped inside the extension (dist/gradscope.d.ts), so a model type-checks
 * and completes with no npm install. A real `gradscope` the user installed always wins: the plugin
 * only answers when normal resolution found nothing.
 *
 * VS Code starts tsserver with this plugin (package.json `contributes.typescriptServerPlugins`);
 * tsserver hands us its own `typescript` module, so we never bundle a second compiler.
 */
const MODULE_NAME = "gradscope";

function init(modules: { typescript: typeof ts }): ts.server.PluginModule {
  const typescript = modules.typescript;

  function create(info: ts.server.PluginCreateInfo): ts.LanguageService {
    const declarations = path.join(__dirname, "gradscope.d.ts");
    const logger = info.project.projectService.logger;
    if (!fs.existsSync(declarations)) {
      logger.info(`[gradscope] ${declarations} is missing; "gradscope" imports are left to normal resolution`);
      return info.languageService;
    }
    const host = info.languageServiceHost;
    const resolved: ts.ResolvedModuleFull = {
      resolvedFileName: declarations,
      extension: typescript.Extension.Dts,
      isExternalLibraryImport: true,
    };

    const resolveLiterals = host.resolveModuleNameLiterals?.bind(host);
    if (resolveLiterals) {
      host.resolveModuleNameLiterals = (literals, ...rest) =>
        resolveLiterals(literals, ...rest).map((result, i) =>
          literals[i].text === MODULE_NAME && !result.resolvedModule ? { resolvedModule: resolved } : result,
        );
    }
    const resolveNames = host.resolveModuleNames?.bind(host);
    if (resolveNames) {
      host.resolveModuleNames = (names, ...rest) =>
        resolveNames(names, ...rest).map((result, i) => (names[i] === MODULE_NAME && !result ? resolved : result));
    }
    logger.info(`[gradscope] "gradscope" imports resolve to ${declarations} when not installed`);
    return info.languageService;
  }

  return { create };
}

// tsserver loads plugins with require() and calls the module itself.
module.exports = init;
