export { LIFECYCLE_ORDER, ACTIVE_STATES, CALLBACK_STATES, CALLBACK_DATA, decideTransition, failureReasonOf, FAILURE_REASON_CHARS, isCallbackKind, isStalled, type CallbackKind, type CallbackState, type LifecycleDecision, type LifecycleTarget } from './lifecycle.ts';
export { callbackSecret, callbackSecretMatches, loadCallbackKey, CALLBACK_KEY_SETTING } from './secret.ts';
export { callbackPreamble, callbackCommand, failureCommand, CALLBACK_BODY_LIMIT } from './callbacks.ts';
export { renderServedAnswers, renderServedKickstart, renderServedPreseed, renderServedAutoinstall, ANACONDA_LOGS, SUBIQUITY_LOGS } from './answers.ts';
export { createServer, HTTP_PORT, type ServeOptions, type ServeHandle } from './create-server.ts';
export { InstallService, type ServeLogger } from './install-service.ts';
