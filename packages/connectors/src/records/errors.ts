/** The component every error of this connector names: `[tributary] [records-connector] …`. */
export const COMPONENT = 'records-connector';

/** The item type of every value record item. */
export const VALUE_RECORD_ITEM_TYPE = 'value.record';
