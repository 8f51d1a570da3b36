/** Source records and policy records: imports from media, what the station holds, the policy in force. */
export { importRecordsFile, listRecords, showRecord } from './records';
export { importPolicyFile, policyAt, showPolicies, type PolicyInForce } from './policy';
