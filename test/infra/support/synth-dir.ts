/** The run's directory of CDK syntheses, shared by the infra test files (see synthesizePipeline). */
export const INFRA_SYNTH_DIR_ENV = 'ORDER_PIPELINE_INFRA_SYNTH_DIR';
