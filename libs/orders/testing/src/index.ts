export { orderFlows } from './order-flows';
