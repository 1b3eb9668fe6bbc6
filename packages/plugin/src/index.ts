// The plugin contract shared by every Anneal extension point, and the one registry type.
export { PLUGIN_KINDS, definePlugin, isKebabCase, isPluginDescriptor, kindNoun, pluginSpecSchema, type PluginContext, type PluginDescriptor, type PluginKind, type PluginSpec } from './descriptor.js';
export { PluginRegistry, type ContextExtras, type KindTypes } from './registry.js';
export { moduleDescriptors } from './module-descriptors.js';
export { PluginConfigError, PluginContractError, PluginError, PluginOptionError, type PluginConfigIssue } from './errors.js';
export { describeIssue, joinPath, kindOf, knownOptions, locateIssue } from './issue-format.js';
export { pluginPackages } from './plugin-packages.js';
