import * as vscode from "vscode";

/** New Model From Example: copies one of the bundled examples into the workspace and opens it. */
export async function newModelFromExample(extensionUri: vscode.Uri, exampleName?: string, targetFolder?: vscode.Uri): Promise<vscode.Uri | undefined> {
  const examplesDir = vscode.Uri.joinPath(extensionUri, "examples");
  const examples = (await vscode.workspace.fs.readDirectory(examplesDir))
    .filter(([name, type]) => type === vscode.FileType.File && name.endsWith(".ts"))
    .map(([name]) => name)
    .sort();
  const name =
    exampleName ??
    (await vscode.window.showQuickPick(examples, { title: "New Model From Example", placeHolder: "Pick an example to copy into the workspace" }));
  if (!name || !examples.includes(name)) return undefined;

  const folder = targetFolder ?? vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!folder) {
    // No folder open: an untitled editor is still runnable (Visualize runs unsaved text).
    const content = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(examplesDir, name)));
    const document = await vscode.workspace.openTextDocument({ language: "typescript", content });
    await vscode.window.showTextDocument(document);
    return document.uri;
  }
  const target = await freeName(folder, name);
  await vscode.workspace.fs.copy(vscode.Uri.joinPath(examplesDir, name), target, { overwrite: false });
  await vscode.window.showTextDocument(target);
  return target;
}

/** `chain-rule.ts`, else `chain-rule-2.ts`, …: never overwrite the user's file. */
async function freeName(folder: vscode.Uri, name: string): Promise<vscode.Uri> {
  const stem = name.replace(/\.ts$/, "");
  for (let i = 1; ; i++) {
    const candidate = vscode.Uri.joinPath(folder, i === 1 ? name : `${stem}-${i}.ts`);
    try {
      await vscode.workspace.fs.stat(candidate);
    } catch {
      return candidate;
    }
  }
}
