export type {
  Estate,
  EstateAccount,
  EstateCluster,
  EstateEc2,
  EstateFaults,
  EstateRegion,
  FailingCall,
  Wire,
} from "./types.ts";
export { EstateValidationError, formatJsonPath, loadEstateFile, parseEstate } from "./validate.ts";
