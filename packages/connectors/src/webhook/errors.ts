/** The component every error of this connector names: `[tributary] [webhook-connector] …`. */
export const COMPONENT = 'webhook-connector';
