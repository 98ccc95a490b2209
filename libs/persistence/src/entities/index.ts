export { OrderEntity } from './order.entity';
export { FillEntity } from './fill.entity';
export { PositionEntity, type PositionStatus } from './position.entity';
export { AccountEntity } from './account.entity';
export { ApprovalEntity, type ApprovalStatus } from './approval.entity';
export { TradingStateEntity } from './trading-state.entity';
export { ProcessedMessageEntity } from './processed-message.entity';
export { TradeExperienceEntity } from './trade-experience.entity';
export { DenialEntity } from './denial.entity';
