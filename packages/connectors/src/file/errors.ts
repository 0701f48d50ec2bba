/** The component every error of this connector names: `[tributary] [file-connector] …`. */
export const COMPONENT = 'file-connector';
