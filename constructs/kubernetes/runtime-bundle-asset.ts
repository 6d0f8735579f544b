import { AssetType, Fn, TerraformAsset, TerraformStack } from "cdktf";
import type { IConstruct } from "constructs";
import type { RuntimeBundle } from "./runtime-source";

/** Id, under its stack, of the asset that holds the key server bundle. */
export const RUNTIME_BUNDLE_ASSET_ID = "KeyServerBundle";

/**
 * The asset of `scope`'s stack holding `bundle`, created at the stack's root on first use: the stack ships the
 * file once (`cdktf.out/stacks/<stack>/assets/KeyServerBundle/<sha256>/<file name>`), however many key servers
 * run it, and its JSON names it by path instead of repeating its text per tenant. A different bundle in the
 * same stack gets its own asset, `KeyServerBundle-<first 12 hex digits of its sha256>`.
 * @throws Error when both ids are taken by other constructs.
 */
export function runtimeBundleAsset(scope: IConstruct, bundle: RuntimeBundle): TerraformAsset {
  const stack = TerraformStack.of(scope);
  for (const id of [RUNTIME_BUNDLE_ASSET_ID, `${RUNTIME_BUNDLE_ASSET_ID}-${bundle.sha256.slice(0, 12)}`]) {
    const existing = stack.node.tryFindChild(id);
    if (existing === undefined) {
      return new TerraformAsset(stack, id, {
        path: bundle.path,
        type: AssetType.FILE,
        assetHash: bundle.sha256,
      });
    }
    if (existing instanceof TerraformAsset && existing.assetHash === bundle.sha256) return existing;
  }
  throw new Error(
    `stack ${stack.node.id} already has constructs with the ids ${RUNTIME_BUNDLE_ASSET_ID} and ${RUNTIME_BUNDLE_ASSET_ID}-${bundle.sha256.slice(0, 12)} that are not this bundle's asset: rename them`,
  );
}

/**
 * The Terraform expression of an asset's text, read by Terraform from the stack's directory and marked
 * sensitive, so `terraform plan`/`apply` print `(sensitive value)` instead of the whole bundle; a new bundle still
 * shows as a change of the pod template's checksum annotation, which rolls the pods.
 */
export function sensitiveAssetText(asset: TerraformAsset): string {
  return Fn.sensitive(Fn.file(asset.path));
}
