export { normalizeMac, macHexhyp, macHexraw, macConfigName, ipv4HexName, normalizeUuid } from './mac.ts';
export {
  hostKernelArgs, hostCmdline, hostInitrds, partitionExpired, isLegacyDialect, serveAnswerUrl,
  type PxeModel, type PxeHost, type PxeArtifact, type PxeKickstart, type PxeDialect, type PxeHttpUse,
} from './model.ts';
export { renderPxelinuxDefault, renderPxelinuxHost } from './render-pxelinux.ts';
export { renderGrubDefault, renderGrubHost } from './render-grub.ts';
export { renderIpxeDefault, renderIpxeHost, ipxeHostPath, IPXE_HOST_DIR } from './render-ipxe.ts';
export * from './layout.ts';
export { parsePublishManifest, renderPublishManifest, MANIFEST_FORMAT, type PublishManifest, type FileDigest, type DisarmedHost } from './manifest.ts';
export { planPublish, type PlanPublishInput, type PublishPlan, type PlannedBlob, type LoaderFile, type VersionEntry } from './plan.ts';
export { collectLoaders, SHIM_FILE, SIGNED_GRUB_DIR, uefiGrubBootFile, type LoaderOptions } from './loaders.ts';
export { commitVersion, rollbackTree, readCurrentManifest, requireCurrentManifest, type CommitOptions } from './commit.ts';
export { publishTree, newArmId, type PublishTreeOptions, type PublishTreeResult, type PublishHostInput } from './publish.ts';
export { armHost, disarmHost, hostStatus, setServeUrl, expireHosts, type ArmHostOptions, type HostStatus } from './hosts.ts';
export { verifyTree, type VerifyTreeOptions, type VerifyTreeResult, type VerifyProblem } from './verify.ts';
export { menuReferences, type MenuReference } from './references.ts';
export { decodeKernelRelease, KERNEL_HEAD_SIZE } from './kernel-release.ts';
export { dhcpSnippet, publishedBootFiles, type DhcpSnippetOptions } from './dhcp.ts';
export { pxeSchema, pxeHostSchema, type PxeRecipe } from './schema.ts';
